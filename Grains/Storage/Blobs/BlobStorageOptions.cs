using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>Blob storage configuration, section <c>Mirc:Storage</c> (env <c>Mirc__Storage__Provider</c>, …).</summary>
public sealed class BlobStorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Storage";

    /// <summary>Implementation to use.</summary>
    public BlobStorageProvider Provider { get; set; } = BlobStorageProvider.FileSystem;

    /// <summary>Root folder of the filesystem store; defaults to <c>&lt;Mirc:DataPath&gt;/blobs</c>.</summary>
    public string? RootPath { get; set; }

    /// <summary>How the filesystem store makes writes durable (default: shared syncfs rounds on Linux, per-file fsync elsewhere).</summary>
    public FileSystemDurability FileSystemDurability { get; set; } = FileSystemDurability.Auto;

    /// <summary>
    /// Streamed writes of the filesystem store (instances) bypass the page cache with direct I/O where the file system
    /// supports it (default on; falls back to buffered writes by itself). Off: every write goes through the page cache.
    /// </summary>
    public bool DirectWrites { get; set; } = true;

    /// <summary>Azure connection string (Azurite, or account key); takes precedence over <see cref="AccountUri"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Azure account endpoint (https://account.blob.core.windows.net) used with DefaultAzureCredential.</summary>
    public Uri? AccountUri { get; set; }

    /// <summary>Number of instance shards (containers on Azure, top-level folders on the filesystem). Never change it on a live archive.</summary>
    [Range(1, 1024)]
    public int ShardCount { get; set; } = 16;

    /// <summary>Prefix of every container name (lower-case letters, digits, hyphens), e.g. <c>mirc</c> → <c>mirc-instances-07</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,29}$")]
    public string ContainerPrefix { get; set; } = "mirc";

    /// <summary>Maximum concurrent Azure block uploads per blob write.</summary>
    [Range(1, 64)]
    public int AzureUploadConcurrency { get; set; } = 4;
}
