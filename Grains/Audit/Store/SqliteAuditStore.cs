using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// The embedded trail: its own SQLite file beside the index (<c>&lt;DataPath&gt;/audit.db</c>), WAL with
/// synchronous=FULL so a commit is durable when it returns. A file of its own because it is a system of record with
/// its own writer lock: audit commits never queue behind index group commits.
/// </summary>
public sealed class SqliteAuditStore : RelationalAuditStore
{
    // INTEGER PRIMARY KEY: seq is the rowid (64-bit in SQLite).
    private static readonly string Schema = SchemaDdl("INTEGER");

    private readonly DurableSqliteFile _file;

    /// <summary>Opens (creating on first use) the trail at <paramref name="databasePath"/>.</summary>
    public SqliteAuditStore(string databasePath)
    {
        _file = new DurableSqliteFile(databasePath);
    }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath => _file.Path;

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _file.OpenAsync(cancellationToken).ConfigureAwait(false);

    private protected override Task CreateSchemaAsync(CancellationToken cancellationToken) => _file.CreateSchemaAsync(Schema, cancellationToken);

    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Immediate: the head read already holds the write lock, so two writers never read the same head.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override ValueTask DisposeCoreAsync() => _file.ReleaseAsync();
}
