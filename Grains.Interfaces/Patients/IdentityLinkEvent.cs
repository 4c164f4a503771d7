namespace Mirc.Grains.Interfaces.Patients;

/// <summary>One entry of a patient's identity history (who linked/unlinked what, when and why).</summary>
[GenerateSerializer, Immutable, Alias("mirc.IdentityLinkEvent")]
public sealed record IdentityLinkEvent
{
    /// <summary>What happened.</summary>
    [Id(0)] public IdentityLinkKind Kind { get; init; }

    /// <summary>The local id concerned, if any.</summary>
    [Id(1)] public LocalPatientId? LocalId { get; init; }

    /// <summary>The INS concerned, if any.</summary>
    [Id(2)] public NationalIdentity? Ins { get; init; }

    /// <summary>Who did it (professional id, or <c>system:ingest</c>).</summary>
    [Id(3)] public required string Actor { get; init; }

    /// <summary>When (UTC).</summary>
    [Id(4)] public DateTimeOffset At { get; init; }

    /// <summary>Why (free text, mandatory for manual operations).</summary>
    [Id(5)] public string? Reason { get; init; }

    /// <summary>Other regional patient involved (source/target of a move, conflicting owner of an INS).</summary>
    [Id(6)] public string? OtherPatientId { get; init; }

    /// <summary>Studies moved along with the local id (<see cref="IdentityLinkKind.StudiesMoved"/>).</summary>
    [Id(7)] public IReadOnlyList<string> StudyUids { get; init; } = [];
}
