namespace Mirc.Grains.Retention;

/// <summary>One establishment's retention progress (days as <see cref="DateOnly.DayNumber"/>).</summary>
[GenerateSerializer, Immutable, Alias("mirc.RetentionScheduleEntry")]
public sealed record RetentionScheduleEntry
{
    /// <summary>Establishment id.</summary>
    [Id(0)] public required string EstablishmentId { get; init; }

    /// <summary>Earliest day with a bucket.</summary>
    [Id(1)] public int FirstDay { get; init; }

    /// <summary>Last day whose bucket was fully swept, or <see cref="int.MinValue"/>.</summary>
    [Id(2)] public int SweptThrough { get; init; } = int.MinValue;

    /// <summary>
    /// Latest day with a bucket, or null when unknown (a schedule written before this was recorded): the sweep stops
    /// there instead of visiting every empty day up to its expiry horizon (a year of days after a clock jump).
    /// </summary>
    [Id(3)] public int? LastDay { get; init; }
}
