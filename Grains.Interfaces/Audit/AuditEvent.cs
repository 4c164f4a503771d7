namespace Mirc.Grains.Interfaces.Audit;

/// <summary>
/// One audited fact: who, what (patient, study UIDs), when, from where, outcome. Carries no pixel data, password
/// nor token: <see cref="Detail"/> is scrubbed of bearer tokens before it is stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirc.AuditEvent")]
public sealed record AuditEvent
{
    /// <summary>When the operation happened.</summary>
    [Id(0)] public required DateTimeOffset Timestamp { get; init; }

    /// <summary>What kind of operation.</summary>
    [Id(1)] public required AuditAction Action { get; init; }

    /// <summary>Outcome.</summary>
    [Id(2)] public AuditOutcome Outcome { get; init; }

    /// <summary>Acting subject (username, IdP subject, <c>ae:TITLE</c>), or the attempted username for a failed login.</summary>
    [Id(3)] public string? ActorId { get; init; }

    /// <summary>Acting professional's RPPS.</summary>
    [Id(4)] public string? ActorRpps { get; init; }

    /// <summary>Establishment the actor acts for.</summary>
    [Id(5)] public string? ActorEstablishmentId { get; init; }

    /// <summary>Actor roles (comma-separated names).</summary>
    [Id(6)] public string? ActorRoles { get; init; }

    /// <summary>Where from: client IP, calling AE title and address.</summary>
    [Id(7)] public string? Source { get; init; }

    /// <summary>Regional patient id concerned.</summary>
    [Id(8)] public string? PatientId { get; init; }

    /// <summary>Study Instance UIDs concerned.</summary>
    [Id(9)] public IReadOnlyList<string> StudyUids { get; init; } = [];

    /// <summary>Free text: reason, query keys, channel, number of instances… (scrubbed).</summary>
    [Id(10)] public string? Detail { get; init; }

    /// <summary>True when a DPO must review this record (break-the-glass).</summary>
    [Id(11)] public bool RequiresReview { get; init; }
}
