using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.Storage.Backup;

/// <summary>
/// The consistent copies of the embedded default's SQLite files that a backup holds: the audit trail and the query index
/// (the change feed is left out, see <see cref="DataFolderBackup"/>), each through SQLite's online backup — readers and
/// the writer go on meanwhile.
/// </summary>
internal static class SqliteSnapshots
{
    /// <summary>The files of <paramref name="layout"/> a backup snapshots, in the order it takes them, with their names in a backup.</summary>
    public static IEnumerable<(string Database, string Name)> Of(DataFolderLayout layout) =>
        new[] { (layout.AuditPath, "audit.db"), (layout.IndexPath, "index.db") }.Where(d => File.Exists(d.Item1));

    /// <summary>
    /// Snapshots <paramref name="database"/> into <paramref name="destination"/>/<paramref name="name"/>; returns its entry.
    /// </summary>
    /// <exception cref="SqliteException">With <see cref="DurableSqlite.Busy"/> when another process holds the file.</exception>
    public static async Task<BackupEntry> TakeAsync(string database, string destination, string name, CancellationToken cancellationToken)
    {
        var target = Path.Combine(destination, name);
        // Opened as the silo opens it (read-write, exclusive to one process): inside the silo's process it shares the
        // silo's locks in memory — a read-only or default connection would take and release real file locks, and its
        // release would lift the silo's own exclusive lock; in another process it meets that lock at once.
        var source = new SqliteConnectionStringBuilder(DurableSqlite.ConnectionString(database)) { Pooling = false, DefaultTimeout = 2 };
        await using (var from = new SqliteConnection(source.ToString()))
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
        {
            await from.OpenAsync(cancellationToken).ConfigureAwait(false);
            await copy.OpenAsync(cancellationToken).ConfigureAwait(false);
            from.BackupDatabase(copy);
            // A single self-contained file: no -wal beside it in the backup.
            await using var journal = copy.CreateCommand();
            journal.CommandText = "PRAGMA journal_mode = DELETE;";
            await journal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await BackupEntry.OfFileAsync(target, name, cancellationToken).ConfigureAwait(false);
    }
}
