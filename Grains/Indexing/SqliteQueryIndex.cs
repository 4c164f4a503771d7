using System.Data.Common;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Grains.Indexing;

/// <summary>
/// Embedded query index in a SQLite file. WAL journal (readers never block the writer) with synchronous=FULL, so a
/// commit is durable when it returns; concurrent writes are group-committed (see <see cref="RelationalQueryIndex"/>).
/// </summary>
public sealed class SqliteQueryIndex : RelationalQueryIndex
{
    // Planner statistics: without them SQLite may drive a restricted patient-id query from the establishment index
    // (10 % of the studies) instead of the unique patient id (measured: 77 ms instead of 0.1 ms on 100,000 studies); stale
    // ones are worse: taken while the index held one patient's CT, then 6,000 one-instance studies later, they had SQLite
    // scan the patients table for every study of the establishment (a C-FIND by Patient ID: 1 s instead of 0.2 ms). So a
    // sampled ANALYZE at start-up, and every 1,000 instances written a PRAGMA optimize over all tables (0x10000), which
    // re-analyzes, sampled (0x10), only the tables whose size changed by a large factor since their statistics: counting
    // instances alone misses a patients table that grows from one row while the instance count barely moves.
    private const string RefreshStatistics = "PRAGMA analysis_limit = 1000; ANALYZE;";
    private const string RefreshStaleStatistics = "PRAGMA optimize = 0x10012;";
    private const string StaleStatisticsCheck = "PRAGMA optimize = 0x10013;";
    private const long StatisticsCheckInterval = 1_000;

    private readonly DurableSqliteFile _file;
    private long _writtenSinceStatistics;

    /// <summary>Opens (creating on first use) the index at <paramref name="databasePath"/>.</summary>
    /// <param name="databasePath">Database file, e.g. <c>&lt;DataPath&gt;/index.db</c>.</param>
    /// <param name="maxBatchSize">Most instances per group-commit transaction.</param>
    public SqliteQueryIndex(string databasePath, int maxBatchSize = 1_000)
        : base(SqlDialect.Sqlite, maxBatchSize)
    {
        _file = new DurableSqliteFile(databasePath);
    }

    /// <summary>Absolute database file path.</summary>
    public string DatabasePath => _file.Path;

    /// <summary>
    /// True when another process holds the index file at <paramref name="databasePath"/> — a silo running on the same
    /// data folder (a silo's connections hold their files exclusively, see <see cref="DurableSqlite.ConnectionString"/>).
    /// False when the file is free or absent; the probe releases it again.
    /// </summary>
    public static bool IsHeldByAnotherProcess(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            return false;
        }

        var probe = new SqliteConnectionStringBuilder(DurableSqlite.ConnectionString(Path.GetFullPath(databasePath))) { Pooling = false, DefaultTimeout = 1 };
        using var connection = new SqliteConnection(probe.ToString());
        try
        {
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            read.ExecuteScalar();
            return false;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == DurableSqlite.Busy)
        {
            return true;
        }
    }

    /// <summary>Statistics refreshes so far (each renews the readers' pool); for tests.</summary>
    internal int StatisticsRefreshes { get; private set; }

    private protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _file.OpenAsync(cancellationToken).ConfigureAwait(false);

    private protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await _file.CreateSchemaAsync(IndexSchemaMigrations.BaseSchema(SqlDialect.Sqlite), cancellationToken).ConfigureAwait(false);
        await using var connection = await _file.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await IndexSchemaMigrations.ApplyAsync(connection, transaction, SqlDialect.Sqlite, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await RefreshStatisticsAsync(connection, RefreshStatistics, cancellationToken).ConfigureAwait(false);
    }

    // Called by the single group-commit loop: no concurrent calls.
    private protected override async Task AfterCommitAsync(DbConnection connection, int instances, CancellationToken cancellationToken)
    {
        _writtenSinceStatistics += instances;
        if (_writtenSinceStatistics < StatisticsCheckInterval)
        {
            return;
        }

        _writtenSinceStatistics = 0;
        if (await HasStaleStatisticsAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            await RefreshStatisticsAsync(connection, RefreshStaleStatistics, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether <see cref="RefreshStaleStatistics"/> would analyze anything: the same optimize in SQLite's debugging mode
    /// (0x1) lists the ANALYZE statements it would run without running them. Most checks find nothing, and the readers'
    /// pool is then left alone.
    /// </summary>
    private static async Task<bool> HasStaleStatisticsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = StaleStatisticsCheck;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (ANALYZE or PRAGMA optimize), then renews the connection pool: a connection loads the
    /// statistics once, with the schema, so pooled readers would otherwise plan with the old ones for their lifetime.
    /// </summary>
    private async Task RefreshStatisticsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        SqliteConnection.ClearPool((SqliteConnection)connection);
        StatisticsRefreshes++;
    }

    // Pooled connections and the holder keep the file open; released so the file can be deleted or moved.
    private protected override ValueTask DisposeCoreAsync() => _file.ReleaseAsync();
}
