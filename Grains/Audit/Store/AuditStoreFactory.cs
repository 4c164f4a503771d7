using Microsoft.Extensions.Configuration;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// Chooses the trail's database from the query index's: PostgreSQL (the cluster's shared database, same connection
/// string) or SQLite (<see cref="AuditOptions.SqlitePath"/>, default <c>&lt;Mirc:DataPath&gt;/audit.db</c>).
/// </summary>
public static class AuditStoreFactory
{
    /// <summary>
    /// The store configured by <paramref name="configuration"/>; an embedded trail on the file system whose flush rounds
    /// <paramref name="blobs"/> runs commits without a flush of its own and waits for a round (see <see cref="SqliteAuditStore"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen without a connection string.</exception>
    public static IAuditStore Create(IConfiguration configuration, FileSystemBlobStore? blobs = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var index = configuration.GetSection(QueryIndexOptions.Section);
        if (Enum.TryParse<QueryIndexProvider>(index["Provider"], ignoreCase: true, out var provider) && provider == QueryIndexProvider.Postgres)
        {
            var connectionString = index["ConnectionString"];
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException("Mirc:Index:ConnectionString is required: the audit trail lives in the index's PostgreSQL database")
                : new PostgresAuditStore(connectionString, PostgresDataSources.CredentialFor(PostgresDataSources.Parse(index["PostgresAuthentication"])));
        }

        var path = configuration[$"{AuditOptions.Section}:SqlitePath"];
        var file = Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "audit.db") : path);
        var folder = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(folder);
        return new SqliteAuditStore(file, blobs?.FlushRoundsCover(folder) == true ? blobs.FlushAsync : null);
    }
}
