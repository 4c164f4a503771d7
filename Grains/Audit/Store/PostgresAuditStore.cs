using System.Data.Common;
using Mirc.Grains.Indexing;
using Mirc.Grains.Indexing.Sql;
using Npgsql;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// The cluster's trail, in the shared PostgreSQL database of the query index: every silo appends in a transaction that
/// locks the head row (<c>SELECT … FOR UPDATE</c>), so the silos extend one chain without a singleton grain on the path.
/// </summary>
public sealed class PostgresAuditStore : RelationalAuditStore
{
    // Advisory lock id serializing schema creation when several silos start together (distinct from the index's).
    private const long SchemaLockId = 0x4D495244;

    private static readonly string Schema = SchemaDdl("BIGINT");

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database of <paramref name="connectionString"/> (the database must exist).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="entraId">With Entra ID authentication, the credential whose tokens are the password.</param>
    public PostgresAuditStore(string connectionString, Azure.Core.TokenCredential? entraId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = PostgresDataSources.Create(connectionString, entraId);
    }

    private protected override string LockHeadClause => " FOR UPDATE";

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresSchema.CreateAsync(_dataSource, SchemaLockId, Schema, cancellationToken);

    private protected override ValueTask DisposeCoreAsync() => _dataSource.DisposeAsync();
}
