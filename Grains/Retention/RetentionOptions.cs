using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Retention;

/// <summary>Automatic erasure at the end of the retention period, section <c>Mirc:Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Retention";

    /// <summary>Whether the periodic sweep runs (one per cluster, on a reminder; a silo start with false removes it).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps (a reminder period: at least a minute).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Time from a silo start to the first sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FirstSweepDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time between retries of a bucket's erasure that did not complete (a reminder period: at least a minute).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ErasureRetryInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Studies of one bucket erased at once (bounds the I/O burst of an expired day).</summary>
    [Range(1, 64)]
    public int ErasureParallelism { get; set; } = 4;

    /// <summary>When true, the sweep only reports (and logs) what it would delete.</summary>
    public bool DryRun { get; set; }

    /// <summary>Retention used when an establishment has no profile; 0 or less keeps its studies forever.</summary>
    [Range(0, 200)]
    public int DefaultRetentionYears { get; set; } = 20;

    /// <summary>Upper bound of studies handed for erasure per sweep, checked between days (the rest waits for the next sweep).</summary>
    [Range(1, 1_000_000)]
    public int MaxDeletionsPerSweep { get; set; } = 10_000;
}
