using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Storage.Orphans;

/// <summary>Collection of blobs no manifest references (section <c>Mirc:OrphanSweep</c>).</summary>
public sealed class OrphanSweepOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:OrphanSweep";

    /// <summary>Whether the periodic sweep runs (one per cluster, on a reminder; a silo start with false removes it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Age below which an unreferenced blob is never touched: far longer than any ingest (blob write to manifest commit),
    /// so an ingest in flight is never mistaken for an orphan. At least an hour.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Time between sweeps (a reminder period: at least a minute).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Time from a silo start to the first sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FirstSweepDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Blobs of one study checked against its manifest at once (bounds memory and the burst of deletions).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Upper bound of blobs deleted per sweep (the rest waits for the next one).</summary>
    [Range(1, 10_000_000)]
    public int MaxDeletionsPerSweep { get; set; } = 100_000;

    /// <summary>When true, the sweep only counts (and logs) what it would delete.</summary>
    public bool DryRun { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstSweepDelay > SweepInterval)
            yield return new ValidationResult("FirstSweepDelay must not exceed SweepInterval.", [nameof(FirstSweepDelay)]);
    }
}
