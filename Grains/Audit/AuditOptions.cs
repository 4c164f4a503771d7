using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Audit;

/// <summary>Audit trail settings (section <c>Mirc:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Audit";

    /// <summary>
    /// SQLite file of the embedded trail; defaults to <c>&lt;Mirc:DataPath&gt;/audit.db</c>. Ignored when the query index
    /// is PostgreSQL (<c>Mirc:Index:Provider</c>): the trail then lives in the same database.
    /// </summary>
    public string? SqlitePath { get; set; }

    /// <summary>Maximum events per group commit.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// Extra time a commit waits after the previous one to gather more events (0, the default: commit as soon as the
    /// previous commit has finished, so an idle record is committed at once and a busy trail still batches every event
    /// that arrived during the previous commit). Every recorded access waits for its commit: keep this small.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.Zero;

    /// <summary>Queued events before <see cref="Mirc.Grains.Interfaces.Audit.IAuditTrail.RecordAsync"/> waits to queue (back-pressure).</summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Attempts at committing a batch before its callers are failed (their operations then serve nothing).</summary>
    [Range(1, 100)]
    public int CommitAttempts { get; set; } = 3;

    /// <summary>Delay before retrying a failed commit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>ATNA syslog export (disabled when <see cref="SyslogOptions.Host"/> is empty).</summary>
    public SyslogOptions Syslog { get; set; } = new();
}
