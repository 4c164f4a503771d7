using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Two-site replication, section <c>Mirc:Replication</c>. Off unless a second site is named: embedded mode
/// <see cref="SecondSitePath"/> (another folder / volume), Azure mode <see cref="SecondSiteConnectionString"/> or
/// <see cref="SecondSiteAccountUri"/> (another storage account).
/// </summary>
public sealed class ReplicationOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Replication";

    /// <summary>Folder of the second site (filesystem provider); must not be the first site's folder or inside it.</summary>
    public string? SecondSitePath { get; set; }

    /// <summary>Connection string of the second storage account (Azure provider); takes precedence over <see cref="SecondSiteAccountUri"/>.</summary>
    public string? SecondSiteConnectionString { get; set; }

    /// <summary>Endpoint of the second storage account (Azure provider), used with the ambient Azure identity.</summary>
    public Uri? SecondSiteAccountUri { get; set; }

    /// <summary>When a write is acknowledged (default: when both sites hold it).</summary>
    public ReplicationMode Mode { get; set; } = ReplicationMode.Synchronous;

    /// <summary>How long a site that failed to answer is skipped before it is tried again (reads go to the other one meanwhile).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SiteRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Pending copies at most; beyond it the oldest are left to the scrubber (which compares the sites whole).</summary>
    [Range(1, 10_000_000)]
    public int MaxBacklog { get; set; } = 1_000_000;

    /// <summary>Copies to the second site in flight at once during catch-up.</summary>
    [Range(1, 256)]
    public int CatchUpParallelism { get; set; } = 8;

    /// <summary>Whether the scrubber runs on its reminder.</summary>
    public bool ScrubEnabled { get; set; } = true;

    /// <summary>Time between two scrubs of both sites.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ScrubInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Delay of the first scrub after a silo starts.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan FirstScrubDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Whether a second site is configured.</summary>
    public bool Enabled =>
        !string.IsNullOrWhiteSpace(SecondSitePath) || !string.IsNullOrWhiteSpace(SecondSiteConnectionString) || SecondSiteAccountUri is not null;
}
