using System.ComponentModel.DataAnnotations;

namespace Mirc.Silo.Hosting;

/// <summary>How silos find each other (section <c>Mirc:Cluster</c>).</summary>
public sealed class MircClusterOptions
{
    public const string Section = "Mirc:Cluster";

    /// <summary>
    /// <c>Localhost</c> (embedded default, one silo) or <c>AzureStorage</c> (cluster mode: membership and reminders in
    /// Azure Table storage of the blob storage account, <c>Mirc:Storage:ConnectionString</c> or <c>AccountUri</c>).
    /// Redis mode is gone: a Redis restarted without its data split the cluster, and the account already serves tables.
    /// </summary>
    [Required]
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;

    /// <summary>Address other silos reach this one at; defaults to loopback in Localhost mode.</summary>
    public string? AdvertisedAddress { get; set; }
}

/// <summary>Cluster membership provider.</summary>
public enum ClusterMode
{
    /// <summary>One silo on loopback, in-memory membership, reminders in the data folder (<c>ArchiveReminderTable</c>).</summary>
    Localhost,

    /// <summary>Membership and reminders in Azure Table storage, on the storage account that holds the blobs.</summary>
    AzureStorage,
}
