namespace Mirc.Grains.Interfaces.Audit;

/// <summary>An audit event once committed: its place in the chain and the SHA-256 links.</summary>
[GenerateSerializer, Immutable, Alias("mirc.AuditRecord")]
public sealed record AuditRecord
{
    /// <summary>Position in the chain, from 1, without gaps.</summary>
    [Id(0)] public required long Sequence { get; init; }

    /// <summary>The event.</summary>
    [Id(1)] public required AuditEvent Event { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the previous record's canonical form (64 zeros for the first).</summary>
    [Id(2)] public required string PreviousHash { get; init; }

    /// <summary>SHA-256 (lower-case hex) of this record's canonical form (which includes <see cref="PreviousHash"/>).</summary>
    [Id(3)] public required string Hash { get; init; }
}
