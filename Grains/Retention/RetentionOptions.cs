using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Retention;

/// <summary>Automatic erasure at the end of the retention period, section <c>Mirc:Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Retention";

    /// <summary>Whether the periodic sweep runs on this silo.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps (the first one runs this long after the silo becomes active).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When true, the sweep only reports (and logs) what it would delete.</summary>
    public bool DryRun { get; set; }

    /// <summary>Retention used when an establishment has no profile; 0 or less keeps its studies forever.</summary>
    [Range(0, 200)]
    public int DefaultRetentionYears { get; set; } = 20;

    /// <summary>Upper bound of deletions per sweep (the rest waits for the next sweep), to bound I/O bursts.</summary>
    [Range(1, 1_000_000)]
    public int MaxDeletionsPerSweep { get; set; } = 10_000;
}
