using System.Data.Common;
using Mirc.Grains.Indexing;
using Mirc.Grains.Indexing.Sql;
using Npgsql;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// The cluster's feed, in the query index's PostgreSQL database. Every silo appends; an identity column gives the
/// sequence and a transaction-scoped advisory lock serializes appends, so sequences are visible in commit order and a
/// reader paging by offset never skips an event committed late with a smaller sequence.
/// </summary>
public sealed class PostgresChangeFeed : RelationalChangeFeed
{
    // Distinct from the index's (0x4D495243) and the audit trail's (0x4D495244) schema locks.
    private const long SchemaLockId = 0x4D495245;
    private const long AppendLockId = 0x4D495246;

    private static readonly string Schema = SchemaDdl("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database of <paramref name="connectionString"/> (the database must exist).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="clock">Clock of the event timestamps.</param>
    /// <param name="entraId">With Entra ID authentication, the credential whose tokens are the password.</param>
    public PostgresChangeFeed(string connectionString, TimeProvider? clock = null, Azure.Core.TokenCredential? entraId = null)
        : base(clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = PostgresDataSources.Create(connectionString, entraId);
    }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresSchema.CreateAsync(_dataSource, SchemaLockId, Schema, cancellationToken);

    private protected override async Task<DbTransaction> BeginAppendAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({AppendLockId})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    private protected override ValueTask DisposeCoreAsync() => _dataSource.DisposeAsync();
}
