using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// The embedded trail: its own SQLite file beside the index (<c>&lt;DataPath&gt;/audit.db</c>), WAL with
/// synchronous=FULL so a commit is durable when it returns — or, where the data folder's flush rounds cover the file
/// (the embedded default's shared <c>syncfs</c>), committed with synchronous=NORMAL (the WAL written, not flushed) and
/// made durable by a round begun after the commit, shared with the ingest's writes instead of a device flush of its
/// own. Either way an append returns once durable. A file of its own because it is a system of record with its own
/// writer lock: audit commits never queue behind index group commits.
/// </summary>
public sealed class SqliteAuditStore : RelationalAuditStore
{
    // INTEGER PRIMARY KEY: seq is the rowid (64-bit in SQLite).
    private static readonly string Schema = SchemaDdl("INTEGER");

    private readonly string _connectionString;
    private readonly Func<CancellationToken, Task>? _flushRound;

    /// <summary>Opens (creating on first use) the trail at <paramref name="databasePath"/>.</summary>
    /// <param name="databasePath">The trail's file.</param>
    /// <param name="flushRound">
    /// A flush round of the data folder that covers the file (<see cref="Storage.Blobs.FileSystemBlobStore.FlushRoundsCover"/>):
    /// commits then rely on it instead of flushing themselves. Null: every commit flushes the file.
    /// </param>
    public SqliteAuditStore(string databasePath, Func<CancellationToken, Task>? flushRound = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = DurableSqlite.ConnectionString(DatabasePath);
        _flushRound = flushRound;
    }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath { get; }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DurableSqlite.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await DurableSqlite.CreateSchemaAsync(DatabasePath, _connectionString, Schema, cancellationToken).ConfigureAwait(false);
    }

    private protected override Task BeforeAppendAsync(WriterConnection writer, CancellationToken cancellationToken) =>
        _flushRound is null ? Task.CompletedTask : writer.SetSqliteSynchronousAsync(durable: false, cancellationToken);

    private protected override Task AfterCommitAsync(CancellationToken cancellationToken) =>
        _flushRound?.Invoke(cancellationToken) ?? Task.CompletedTask;

    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Immediate: the head read already holds the write lock, so two writers never read the same head.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override ValueTask DisposeCoreAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
