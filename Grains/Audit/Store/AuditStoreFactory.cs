using Microsoft.Extensions.Configuration;
using Mirc.Grains.Indexing;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// Chooses the trail's database from the query index's: PostgreSQL (the cluster's shared database, same connection
/// string) or SQLite (<see cref="AuditOptions.SqlitePath"/>, default <c>&lt;Mirc:DataPath&gt;/audit.db</c>).
/// </summary>
public static class AuditStoreFactory
{
    /// <summary>The store configured by <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen without a connection string.</exception>
    public static IAuditStore Create(IConfiguration configuration)
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
        return new SqliteAuditStore(string.IsNullOrWhiteSpace(path) ? Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "audit.db") : path);
    }
}
