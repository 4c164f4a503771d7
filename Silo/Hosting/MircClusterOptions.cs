using System.ComponentModel.DataAnnotations;

namespace Mirc.Silo.Hosting;

/// <summary>How silos find each other (section <c>Mirc:Cluster</c>).</summary>
public sealed class MircClusterOptions
{
    public const string Section = "Mirc:Cluster";

    /// <summary>
    /// <c>Localhost</c> (embedded default, one silo), <c>AzureStorage</c> (cluster mode: membership and reminders in Azure
    /// Table storage of the blob storage account, <c>Mirc:Storage:ConnectionString</c> or <c>AccountUri</c>) or <c>Redis</c>.
    /// </summary>
    [Required]
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>; required in Redis mode.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Address other silos reach this one at; defaults to loopback in Localhost mode.</summary>
    public string? AdvertisedAddress { get; set; }
}

/// <summary>Cluster membership provider.</summary>
public enum ClusterMode
{
    /// <summary>One silo on loopback, in-memory membership and reminders.</summary>
    Localhost,

    /// <summary>Membership and reminders in Redis (which must persist its data: an emptied Redis splits the cluster).</summary>
    Redis,

    /// <summary>Membership and reminders in Azure Table storage, on the storage account that holds the blobs.</summary>
    AzureStorage,
}
