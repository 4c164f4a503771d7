using Microsoft.Data.Sqlite;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// How the archive opens its SQLite files (query index, change feed, audit trail): pooled, WAL, synchronous=FULL so a
/// commit is durable when it returns, and a busy writer waited for rather than failed on.
/// </summary>
internal static class DurableSqlite
{
    /// <summary>
    /// Page size of a new file (SQLite's default is 4096). A commit writes every page it touched, whole, to the WAL (then
    /// the checkpoint and the flush round write it again), and a new study's rows land on random leaves of each UID or
    /// name index: ~13 pages per one-instance study on the index, each of 4 KB for a row of ~100 bytes. 1 KB pages
    /// write a quarter of that; measured (bench/README, one-instance C-STORE) ~5 % less silo CPU, queries unchanged.
    /// A file created before keeps its page size (SQLite cannot change it in WAL mode).
    /// </summary>
    public const int NewFilePageSize = 1024;

    /// <summary>SQLite's "database is locked" (<c>SQLITE_BUSY</c>): what another process meets on a file a silo holds.</summary>
    public const int Busy = 5;

    /// <summary>
    /// Connection string of the database file at <paramref name="databasePath"/> (absolute). On Unix through SQLite's
    /// <c>unix-excl</c> VFS: the silo's process holds the file exclusively (its connections share it as before) and the
    /// WAL index lives in the process's memory instead of a memory-mapped <c>-shm</c> file — a file that every flush round
    /// of the data folder (<c>syncfs</c>) wrote back to the device and that the next commit then faulted on to write again
    /// (measured on new one-instance studies: −16 % silo CPU per study, +19 % studies/s; bench/README). Another process
    /// cannot read the file while the silo runs ("database is locked"): a second silo on the same data folder is refused
    /// before it starts (<see cref="SqliteQueryIndex.IsHeldByAnotherProcess"/>), and <c>admin backup</c> asks the running
    /// silo for its snapshots (<see cref="Storage.Backup.SiloSnapshotRequest"/>).
    /// </summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = OperatingSystem.IsWindows() ? databasePath : ExclusiveUri(databasePath),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>A URI filename naming <paramref name="databasePath"/> and the <c>unix-excl</c> VFS (SQLite decodes %HH; ? and # would end the path).</summary>
    internal static string ExclusiveUri(string databasePath) =>
        "file:" + databasePath.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)
        + "?vfs=unix-excl";

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

    /// <summary>
    /// Creates the file's folder, sets a new file's page size, switches it to WAL and runs <paramref name="ddl"/>; returns
    /// the connection that did so, still open and outside the pool: its owner keeps it until disposed, so the process
    /// holds the file (<see cref="ConnectionString"/>) from then on even while no other connection is open — else
    /// another process could take the file between two writes and hold the silo's next write up behind its reads.
    /// </summary>
    public static async Task<SqliteConnection> CreateSchemaAsync(string databasePath, string connectionString, string ddl, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        var holder = await OpenAsync(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString(), cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = holder.CreateCommand();
            // The page size takes only on a file with no table yet, before WAL mode: on any other it is a no-op.
            command.CommandText = $"PRAGMA page_size = {NewFilePageSize}; PRAGMA journal_mode = WAL;" + ddl;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return holder;
        }
        catch
        {
            await holder.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
