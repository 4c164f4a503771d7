using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// The embedded feed: its own SQLite file (<c>&lt;DataPath&gt;/changefeed.db</c>), WAL with synchronous=FULL. Not inside
/// the index file: the index is rebuilt from the feed, so dropping the index must leave the feed whole.
/// </summary>
public sealed class SqliteChangeFeed : RelationalChangeFeed
{
    // AUTOINCREMENT: a sequence is never reused, even after the newest rows are gone.
    private static readonly string Schema = SchemaDdl("INTEGER PRIMARY KEY AUTOINCREMENT");

    private readonly string _connectionString;

    /// <summary>Opens (creating on first use) the feed at <paramref name="databasePath"/>.</summary>
    public SqliteChangeFeed(string databasePath, TimeProvider? clock = null)
        : base(clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = DurableSqlite.ConnectionString(DatabasePath);
    }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath { get; }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DurableSqlite.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        DurableSqlite.CreateSchemaAsync(DatabasePath, _connectionString, Schema, cancellationToken);

    private protected override Task<DbTransaction> BeginAppendAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Immediate: the write lock is taken at once (one writer per file), so sequences follow commit order.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override ValueTask DisposeCoreAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
