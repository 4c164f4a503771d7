using System.Data.Common;
using Mirc.Grains.Indexing.Sql;
using Npgsql;

namespace Mirc.Grains.Indexing;

/// <summary>
/// Query index in a shared PostgreSQL database (cluster mode: every silo writes and reads the same tables);
/// each silo group-commits its own concurrent writes (see <see cref="RelationalQueryIndex"/>).
/// </summary>
public sealed class PostgresQueryIndex : RelationalQueryIndex
{
    // Advisory lock id serializing schema creation when several silos start together.
    private const long SchemaLockId = 0x4D495243;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database of <paramref name="connectionString"/> (the database must exist).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="maxBatchSize">Most instances per group-commit transaction.</param>
    /// <param name="entraId">With Entra ID authentication, the credential whose tokens are the password.</param>
    public PostgresQueryIndex(string connectionString, int maxBatchSize = 1_000, Azure.Core.TokenCredential? entraId = null)
        : base(SqlDialect.Postgres, maxBatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The writer repeats a handful of statements per instance: server-side prepared, they skip parse and plan.
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        _dataSource = PostgresDataSources.Create(builder.ConnectionString, entraId);
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresSchema.CreateAsync(
            _dataSource,
            SchemaLockId,
            IndexSchemaMigrations.BaseSchema(SqlDialect.Postgres),
            (connection, transaction, ct) => IndexSchemaMigrations.ApplyAsync(connection, transaction, SqlDialect.Postgres, ct),
            cancellationToken);

    private protected override ValueTask DisposeCoreAsync() => _dataSource.DisposeAsync();
}
