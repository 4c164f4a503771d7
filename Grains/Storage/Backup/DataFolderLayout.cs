using Microsoft.Extensions.Configuration;
using Mirc.Grains.Audit;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// Where the embedded default keeps each store, read from the silo's own configuration: the blob store (instances and
/// grain state), the SQLite query index and audit trail, and the security folder (data-protection keys, without which
/// the restored signing keys and TOTP secrets cannot be read). <paramref name="StagingContainer"/> is the blob store's
/// folder of staged uploads and ingest journal (<see cref="InstanceBlobLayout.StagingContainer"/>),
/// <paramref name="GrainStateContainer"/> its folder of grain state (<see cref="InstanceBlobLayout.GrainStateContainer"/>).
/// </summary>
public sealed record DataFolderLayout(string DataPath, string BlobRoot, string IndexPath, string AuditPath, string SecurityPath, string StagingContainer, string GrainStateContainer)
{
    /// <summary>True when <paramref name="configuration"/> is the embedded default's (a data folder: file-system blobs, SQLite index).</summary>
    public static bool IsEmbedded(IConfiguration configuration) =>
        (configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>() ?? new BlobStorageOptions()).Provider == BlobStorageProvider.FileSystem
        && (configuration.GetSection(QueryIndexOptions.Section).Get<QueryIndexOptions>() ?? new QueryIndexOptions()).Provider == QueryIndexProvider.Sqlite;

    /// <summary>The layout the silo configured by <paramref name="configuration"/> uses.</summary>
    /// <exception cref="InvalidOperationException">Cluster mode: its stores are backed up by Azure and PostgreSQL themselves.</exception>
    public static DataFolderLayout From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>() ?? new BlobStorageOptions();
        var index = configuration.GetSection(QueryIndexOptions.Section).Get<QueryIndexOptions>() ?? new QueryIndexOptions();
        if (!IsEmbedded(configuration))
        {
            throw new InvalidOperationException(
                "backup and restore copy the embedded default's data folder; in cluster mode (Azure Storage, PostgreSQL) use blob "
                + "versioning with soft delete and PostgreSQL point-in-time restore, as infra/README.md describes");
        }

        var dataPath = Path.GetFullPath(configuration["Mirc:DataPath"] ?? "./data");
        var audit = configuration[$"{AuditOptions.Section}:SqlitePath"];
        var blobs = new InstanceBlobLayout(storage.ContainerPrefix, storage.ShardCount);
        return new DataFolderLayout(
            dataPath,
            Path.GetFullPath(storage.RootPath ?? Path.Combine(dataPath, "blobs")),
            Path.GetFullPath(index.SqlitePath ?? Path.Combine(dataPath, "index.db")),
            Path.GetFullPath(string.IsNullOrWhiteSpace(audit) ? Path.Combine(dataPath, "audit.db") : audit),
            Path.Combine(dataPath, "security"),
            blobs.StagingContainer,
            blobs.GrainStateContainer);
    }
}
