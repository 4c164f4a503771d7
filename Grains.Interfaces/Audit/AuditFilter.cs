namespace Mirc.Grains.Interfaces.Audit;

/// <summary>Selects audit records; null members match everything.</summary>
[GenerateSerializer, Immutable, Alias("mirc.AuditFilter")]
public sealed record AuditFilter
{
    /// <summary>Only records at or after this instant.</summary>
    [Id(0)] public DateTimeOffset? From { get; init; }

    /// <summary>Only records before this instant.</summary>
    [Id(1)] public DateTimeOffset? To { get; init; }

    /// <summary>Only this patient.</summary>
    [Id(2)] public string? PatientId { get; init; }

    /// <summary>Only this actor subject.</summary>
    [Id(3)] public string? ActorId { get; init; }

    /// <summary>Only records whose actor acts for this establishment (establishment administrators see only theirs).</summary>
    [Id(4)] public string? ActorEstablishmentId { get; init; }

    /// <summary>Only these actions (empty: all).</summary>
    [Id(5)] public IReadOnlyList<AuditAction> Actions { get; init; } = [];

    /// <summary>Only records flagged for review.</summary>
    [Id(6)] public bool OnlyRequiringReview { get; init; }

    /// <summary>At most this many records (newest matching first are not guaranteed: chain order).</summary>
    [Id(7)] public int Limit { get; init; } = 1000;

    /// <summary>Whether <paramref name="record"/> matches.</summary>
    public bool Matches(AuditRecord record)
    {
        var e = record.Event;
        return (From is null || e.Timestamp >= From)
            && (To is null || e.Timestamp < To)
            && (PatientId is null || string.Equals(e.PatientId, PatientId, StringComparison.Ordinal))
            && (ActorId is null || string.Equals(e.ActorId, ActorId, StringComparison.Ordinal))
            && (ActorEstablishmentId is null || string.Equals(e.ActorEstablishmentId, ActorEstablishmentId, StringComparison.Ordinal))
            && (Actions.Count == 0 || Actions.Contains(e.Action))
            && (!OnlyRequiringReview || e.RequiresReview);
    }
}
