using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Audit;

/// <summary>Audit trail settings (section <c>Mirc:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Audit";

    /// <summary>Records per persisted segment (bounds the cost of a segment rewrite).</summary>
    [Range(16, 65_536)]
    public int SegmentSize { get; set; } = 512;

    /// <summary>Maximum events per group commit.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// Shortest time between two commits: events arriving meanwhile are committed together (one chain and segment
    /// write for many events). Events are queued in memory until then, as they are during any commit.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Queued events before <see cref="Mirc.Grains.Interfaces.Audit.IAuditTrail.RecordAsync"/> waits (back-pressure instead of loss).</summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Delay before retrying a failed commit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>ATNA syslog export (disabled when <see cref="SyslogOptions.Host"/> is empty).</summary>
    public SyslogOptions Syslog { get; set; } = new();
}
