using Microsoft.Data.Sqlite;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// How the archive opens its SQLite files (query index, audit trail): pooled, WAL, synchronous=FULL so a commit is
/// durable when it returns, and a busy writer waited for rather than failed on.
/// </summary>
internal static class DurableSqlite
{
    /// <summary>Connection string of the database file at <paramref name="databasePath"/> (absolute).</summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>An open connection with the per-connection settings (they are not stored in the file).</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the file's folder, switches it to WAL and runs <paramref name="ddl"/>.</summary>
    public static async Task CreateSchemaAsync(string databasePath, string connectionString, string ddl, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        await using var connection = await OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;" + ddl;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
