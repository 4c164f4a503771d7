using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Interfaces.Consent;

/// <summary>One entry of a patient's consent history: who, what, when, why.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ConsentChange")]
public sealed record ConsentChange
{
    /// <summary>Version of the consent after this change (1, 2, …).</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>What changed.</summary>
    [Id(1)] public ConsentChangeKind Kind { get; init; }

    /// <summary>Target establishment, when relevant.</summary>
    [Id(2)] public string? EstablishmentId { get; init; }

    /// <summary>Why.</summary>
    [Id(3)] public required string Reason { get; init; }

    /// <summary>When.</summary>
    [Id(4)] public DateTimeOffset At { get; init; }

    /// <summary>Who recorded it (subject).</summary>
    [Id(5)] public required string RecordedBy { get; init; }

    /// <summary>Establishment of who recorded it.</summary>
    [Id(6)] public string? RecordedByEstablishmentId { get; init; }

    /// <summary>Roles of who recorded it.</summary>
    [Id(7)] public MircRoles RecordedByRoles { get; init; }
}
