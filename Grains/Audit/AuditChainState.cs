namespace Mirc.Grains.Audit;

/// <summary>Persisted tip of the audit chain.</summary>
[GenerateSerializer, Alias("mirc.AuditChainState")]
public sealed class AuditChainState
{
    /// <summary>Sequence of the last committed record.</summary>
    [Id(0)] public long LastSequence { get; set; }

    /// <summary>Hash of the last committed record.</summary>
    [Id(1)] public string LastHash { get; set; } = AuditCanonicalForm.GenesisHash;

    /// <summary>Segment receiving new records.</summary>
    [Id(2)] public long CurrentSegment { get; set; }

    /// <summary>Records already in <see cref="CurrentSegment"/>.</summary>
    [Id(3)] public int CurrentSegmentCount { get; set; }
}
