using Microsoft.Data.Sqlite;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// One of the archive's SQLite files (query index, change feed, audit trail) as its store uses it: the connection string
/// of <see cref="DurableSqlite.ConnectionString"/> and, from schema creation to release, the holder connection that
/// keeps the file held by this process (<see cref="DurableSqlite.CreateSchemaAsync"/>).
/// </summary>
internal sealed class DurableSqliteFile
{
    private SqliteConnection? _holder;

    /// <summary>The file at <paramref name="databasePath"/> (made absolute).</summary>
    public DurableSqliteFile(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        Path = System.IO.Path.GetFullPath(databasePath);
        ConnectionString = DurableSqlite.ConnectionString(Path);
    }

    /// <summary>Absolute database file path.</summary>
    public string Path { get; }

    /// <summary>The pooled connection string every connection of the store opens.</summary>
    public string ConnectionString { get; }

    /// <summary>An open pooled connection with the per-connection settings.</summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => DurableSqlite.OpenAsync(ConnectionString, cancellationToken);

    /// <summary>
    /// Creates the schema (<paramref name="ddl"/>) and holds the file from then on; a schema creation tried again first
    /// lets the holder of the earlier try go, so only one is ever open.
    /// </summary>
    public async Task CreateSchemaAsync(string ddl, CancellationToken cancellationToken)
    {
        await ReleaseHolderAsync().ConfigureAwait(false);
        _holder = await DurableSqlite.CreateSchemaAsync(Path, ConnectionString, ddl, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the pooled connections and the holder: the file is free (to delete, move or hand to another process).</summary>
    public async ValueTask ReleaseAsync()
    {
        SqliteConnection.ClearAllPools();
        await ReleaseHolderAsync().ConfigureAwait(false);
    }

    private async ValueTask ReleaseHolderAsync()
    {
        if (Interlocked.Exchange(ref _holder, null) is { } holder)
        {
            await holder.DisposeAsync().ConfigureAwait(false);
        }
    }
}
