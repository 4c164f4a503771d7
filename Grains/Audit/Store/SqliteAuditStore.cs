using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// The embedded trail: its own SQLite file beside the index (<c>&lt;DataPath&gt;/audit.db</c>), WAL with
/// synchronous=FULL so a commit is durable when it returns. A file of its own because it is a system of record with
/// its own writer lock: audit commits never queue behind index group commits.
/// </summary>
public sealed class SqliteAuditStore : RelationalAuditStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_records (
          seq INTEGER PRIMARY KEY,
          ts INTEGER NOT NULL,
          action INTEGER NOT NULL,
          outcome INTEGER NOT NULL,
          actor_id TEXT,
          actor_rpps TEXT,
          actor_est TEXT,
          actor_roles TEXT,
          source TEXT,
          patient_id TEXT,
          study_uids TEXT NOT NULL,
          detail TEXT,
          review INTEGER NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_audit_patient ON audit_records (patient_id, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_actor ON audit_records (actor_id, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_establishment ON audit_records (actor_est, seq);
        CREATE INDEX IF NOT EXISTS ix_audit_time ON audit_records (ts);
        CREATE TABLE IF NOT EXISTS audit_head (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          last_seq INTEGER NOT NULL,
          last_hash TEXT NOT NULL);
        INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
          ON CONFLICT (id) DO NOTHING;
        """;

    private readonly string _connectionString;

    /// <summary>Opens (creating on first use) the trail at <paramref name="databasePath"/>.</summary>
    public SqliteAuditStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath { get; }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
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

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;" + Schema;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Immediate: the head read already holds the write lock, so two writers never read the same head.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    private protected override ValueTask DisposeCoreAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
