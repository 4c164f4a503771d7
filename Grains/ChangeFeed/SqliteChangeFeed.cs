using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// The embedded feed: its own SQLite file (<c>&lt;DataPath&gt;/changefeed.db</c>), WAL with synchronous=FULL. Not inside
/// the index file: the index is rebuilt from the feed, so dropping the index must leave the feed whole. When the blob
/// store's <c>syncfs</c> rounds cover its file (<see cref="RelationalChangeFeed.FlushedWithDataFolder"/>), a manifest
/// commit's events are committed with synchronous=NORMAL — the WAL written, not flushed — and made durable by the
/// round the manifest write itself waits for: one device flush for both instead of two in a row. NORMAL keeps the WAL
/// safe from corruption (SQLite syncs it before each checkpoint); only the flush of the last commits is left to the round.
/// </summary>
public sealed class SqliteChangeFeed : RelationalChangeFeed
{
    // AUTOINCREMENT: a sequence is never reused, even after the newest rows are gone.
    private static readonly string Schema = SchemaDdl("INTEGER PRIMARY KEY AUTOINCREMENT");

    private readonly DurableSqliteFile _file;

    /// <summary>
    /// Opens (creating on first use) the feed at <paramref name="databasePath"/>; <paramref name="flushedWithDataFolder"/>
    /// when the blob store's flush rounds cover that file (<see cref="FileSystemBlobStore.FlushRoundsCover"/>).
    /// </summary>
    public SqliteChangeFeed(string databasePath, TimeProvider? clock = null, bool flushedWithDataFolder = false)
        : base(clock)
    {
        _file = new DurableSqliteFile(databasePath);
        FlushedWithDataFolder = flushedWithDataFolder;
    }

    /// <inheritdoc />
    public override bool FlushedWithDataFolder { get; }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath => _file.Path;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _file.OpenAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) => _file.CreateSchemaAsync(Schema, cancellationToken);

    private protected override Task<DbTransaction> BeginAppendAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Immediate: the write lock is taken at once (one writer per file), so sequences follow commit order.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override Task SetDurabilityAsync(WriterConnection writer, bool durable) =>
        writer.SetSqliteSynchronousAsync(durable, CancellationToken.None);

    private protected override ValueTask DisposeCoreAsync() => _file.ReleaseAsync();
}
