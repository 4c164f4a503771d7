using Npgsql;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>Schema creation in the shared PostgreSQL database (query index, audit trail), serialized across silos.</summary>
internal static class PostgresSchema
{
    /// <summary>Runs <paramref name="ddl"/> under the transaction-scoped advisory lock <paramref name="lockId"/>.</summary>
    public static async Task CreateAsync(NpgsqlDataSource dataSource, long lockId, string ddl, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({lockId});" + ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
