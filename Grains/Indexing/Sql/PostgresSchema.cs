using System.Data.Common;
using Npgsql;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>Schema creation in the shared PostgreSQL database (query index, audit trail), serialized across silos.</summary>
internal static class PostgresSchema
{
    /// <summary>Runs <paramref name="ddl"/> under the transaction-scoped advisory lock <paramref name="lockId"/>.</summary>
    public static Task CreateAsync(NpgsqlDataSource dataSource, long lockId, string ddl, CancellationToken cancellationToken) =>
        CreateAsync(dataSource, lockId, ddl, migrate: null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="ddl"/>, then <paramref name="migrate"/> if given, in one transaction under the
    /// transaction-scoped advisory lock <paramref name="lockId"/> (silos starting together migrate once).
    /// </summary>
    public static async Task CreateAsync(
        NpgsqlDataSource dataSource,
        long lockId,
        string ddl,
        Func<DbConnection, DbTransaction, CancellationToken, Task<int>>? migrate,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({lockId});" + ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (migrate is not null)
        {
            await migrate(connection, transaction, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
