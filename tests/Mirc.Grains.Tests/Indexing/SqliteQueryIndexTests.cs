using Mirc.Testing;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Mirc.Grains.Indexing;
using Mirc.Grains.Tests.Storage;
using Xunit;
using static Mirc.Grains.Tests.Indexing.IndexedInstances;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>The index contract on SQLite, plus durability settings and index use.</summary>
public sealed class SqliteQueryIndexTests : QueryIndexContractTests
{
    private readonly string _directory = TestEnvironment.NewTempDirectory("sqlite");

    private string DatabasePath => Path.Combine(_directory, "index.db");

    protected override Task<IQueryIndex> CreateIndexAsync() => Task.FromResult<IQueryIndex>(new SqliteQueryIndex(DatabasePath, maxBatchSize: 500));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TestEnvironment.TryDeleteDirectory(_directory);
    }

    [Fact]
    public async Task Database_is_in_wal_mode_with_small_pages_and_survives_reopening()
    {
        await Index.UpsertInstanceAsync(Make("P9", "9.1", "9.1.1", "9.1.1.1"), Ct);
        await ((IAsyncDisposable)Index).DisposeAsync();

        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = new SqliteCommand("PRAGMA journal_mode", connection);
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
            Assert.Equal(1024L, await PageSizeAsync(connection));
        }

        await using var reopened = new SqliteQueryIndex(DatabasePath);
        Assert.Equal(1, (await reopened.GetStudyAsync("9.1", Ct))!.NumberOfInstances);
    }

    [Fact]
    public async Task A_data_folder_named_with_uri_characters_holds_its_index_there_without_a_shared_memory_file()
    {
        // The file is opened through a URI (the unix-excl VFS): %, ? and # in the path must not end or alter it.
        var folder = Path.Combine(_directory, "site #2?a%41 b");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "index.db");
        await using (var index = new SqliteQueryIndex(path))
        {
            await index.UpsertInstanceAsync(Make("P8", "8.1", "8.1.1", "8.1.1.1"), Ct);
            Assert.Equal(1, (await index.GetStudyAsync("8.1", Ct))!.NumberOfInstances);
            Assert.True(File.Exists(path + "-wal"), "written beside the data file, in WAL mode");
            Assert.False(File.Exists(path + "-shm"), "the WAL index is kept in memory, not in a file the data folder's flush rounds write back");
        }

        Assert.True(File.Exists(path));
        // Nothing at a path cut at the # or the ? (the fixture's own index.db lies beside it).
        Assert.Equal(["site #2?a%41 b"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Where(n => n!.StartsWith("site", StringComparison.Ordinal)));
    }

    protected override async Task InstallRowWriteCountersAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var triggers = new SqliteCommand($"""
            CREATE TABLE row_writes (row TEXT NOT NULL);
            CREATE TRIGGER count_patient AFTER UPDATE ON patients BEGIN INSERT INTO row_writes VALUES ('patient'); END;
            CREATE TRIGGER count_study AFTER UPDATE OF {RowWriteColumns.Study} ON studies BEGIN INSERT INTO row_writes VALUES ('study'); END;
            CREATE TRIGGER count_modalities AFTER UPDATE OF modalities ON studies BEGIN INSERT INTO row_writes VALUES ('modalities'); END;
            CREATE TRIGGER count_series AFTER UPDATE OF {RowWriteColumns.Series} ON series BEGIN INSERT INTO row_writes VALUES ('series'); END;
            """, connection);
        await triggers.ExecuteNonQueryAsync(Ct);
    }

    protected override async Task<List<string>> RowWritesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = new SqliteCommand("SELECT row FROM row_writes ORDER BY rowid", connection);
        return await FirstColumnAsync(command);
    }

    [Fact]
    public async Task A_table_grown_from_a_few_rows_gets_fresh_statistics_so_a_patient_query_keeps_using_the_patient_index()
    {
        // Statistics taken while the index held one patient's CT (thousands of instances, one patient row), then two
        // thousand one-instance studies of new patients, as an archive receives them: with the patients table still
        // "one row" in its statistics, SQLite scanned it for every study of the establishment (measured in a benchmark
        // run: a C-FIND by Patient ID took 1 s instead of 0.2 ms).
        const string establishment = "E-STATS";
        for (var batch = 0; batch < 7; batch++)
        {
            await Index.UpsertInstancesAsync([.. Enumerable.Range(batch * 1000, 1000).Select(i => Make("CT-PATIENT", "60.1", "60.1.1", $"60.1.1.{i}", establishment, instanceNumber: i))], Ct);
        }

        var query = new IndexQuery(QueryLevel.Study, IndexAuthorization.Restricted([establishment], [])) { Matches = new Dictionary<uint, string> { [IndexTags.PatientId] = "CT-PATIENT" } };
        Assert.Equal("60.1", Assert.Single(await Index.QueryAsync(query, Ct))[IndexTags.StudyInstanceUid]);
        for (var batch = 0; batch < 2; batch++)
        {
            await Index.UpsertInstancesAsync([.. Enumerable.Range(batch * 1000, 1000).Select(i => Make($"SMALL-{i}", $"61.{i}", $"61.{i}.1", $"61.{i}.1.1", establishment))], Ct);
        }

        Assert.Equal("60.1", Assert.Single(await Index.QueryAsync(query, Ct))[IndexTags.StudyInstanceUid]);

        // The plan a reader of the index's own connection pool gets (a pooled connection keeps the statistics it loaded
        // when it first read the schema, unless the pool is renewed).
        var statement = new Mirc.Grains.Indexing.Sql.IndexQuerySqlBuilder(Mirc.Grains.Indexing.Sql.SqlDialect.Sqlite).BuildSelect(query);
        await using var connection = new SqliteConnection(Mirc.Grains.Indexing.Sql.DurableSqlite.ConnectionString(DatabasePath));
        await connection.OpenAsync(Ct);
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + statement.Text;
        statement.Parameters.ApplyTo(explain);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.StartsWith("SEARCH p USING", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN p", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_statistics_check_that_finds_nothing_stale_leaves_the_readers_pool_alone()
    {
        // Every 1,000 instances the index asks SQLite whether a table's size moved enough to re-analyze it; renewing the
        // readers' pool each time would reopen every reader connection for nothing.
        var index = (SqliteQueryIndex)Index;
        await Index.UpsertInstancesAsync([.. Enumerable.Range(0, 1000).Select(i => Make("STABLE", "62.1", "62.1.1", $"62.1.1.{i}", instanceNumber: i))], Ct);
        var refreshes = index.StatisticsRefreshes;
        await Index.UpsertInstancesAsync([.. Enumerable.Range(1000, 1000).Select(i => Make("STABLE", "62.1", "62.1.1", $"62.1.1.{i}", instanceNumber: i))], Ct);
        Assert.Equal(refreshes, index.StatisticsRefreshes);

        // A table grown by a large factor is re-analyzed, and the pool renewed.
        await Index.UpsertInstancesAsync([.. Enumerable.Range(0, 1000).Select(i => Make($"NEW-{i}", $"63.{i}", $"63.{i}.1", $"63.{i}.1.1"))], Ct);
        Assert.True(index.StatisticsRefreshes > refreshes, "a patients table grown from one row to 1,001 must be re-analyzed");
    }

    [Fact]
    public async Task Lazily_written_rows_are_visible_at_once_kept_across_a_restart_and_a_flush_commits_the_barrier_row()
    {
        var rows = Enumerable.Range(1, 20).Select(i => Make("P8", "8.1", "8.1.1", $"8.1.1.{i}", instanceNumber: i)).ToArray();
        await Task.WhenAll(rows.Select(row => Index.UpsertInstanceLazilyAsync(row, Ct)));
        Assert.Equal(20, (await Index.GetStudyAsync("8.1", Ct))!.NumberOfInstances);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Index.FlushAsync(Ct);
        await ((IAsyncDisposable)Index).DisposeAsync();

        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = new SqliteCommand("SELECT flushed_at FROM index_durability WHERE id = 1", connection);
            Assert.True((long)(await command.ExecuteScalarAsync(Ct))! >= before);
        }

        await using var reopened = new SqliteQueryIndex(DatabasePath);
        Assert.Equal(20, (await reopened.GetStudyAsync("8.1", Ct))!.NumberOfInstances);
    }

    [Fact]
    public async Task An_index_file_of_the_previous_schema_is_migrated_at_start_and_its_rows_stay_queryable()
    {
        var legacyPath = Path.Combine(_directory, "legacy.db");
        await using (var connection = new SqliteConnection($"Data Source={legacyPath};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var create = new SqliteCommand("PRAGMA journal_mode = WAL;" + LegacyIndexDatabase.SqliteSchema + LegacyIndexDatabase.Seed, connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        await using (var index = new SqliteQueryIndex(legacyPath))
        {
            await index.InitializeAsync(Ct);
            await LegacyIndexDatabase.AssertMigratedAndUsableAsync(index, Ct);
        }

        // Reopening a migrated file applies nothing twice.
        await using (var reopened = new SqliteQueryIndex(legacyPath))
        {
            await reopened.InitializeAsync(Ct);
            Assert.Equal(2, (await reopened.GetStudyAsync("7.1", Ct))!.NumberOfInstances);
        }

        await using var check = new SqliteConnection($"Data Source={legacyPath};Pooling=False");
        await check.OpenAsync(Ct);
        await using var versions = new SqliteCommand("SELECT group_concat(version) FROM index_schema_migrations", check);
        Assert.Equal("2,3,4,5,6,7", (string?)await versions.ExecuteScalarAsync(Ct));
        // Written with SQLite's default pages, it keeps them: only new files get small ones.
        Assert.Equal(4096L, await PageSizeAsync(check));
    }

    private static async Task<long> PageSizeAsync(SqliteConnection connection)
    {
        await using var command = new SqliteCommand("PRAGMA page_size", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task A_new_index_file_records_the_latest_schema_version()
    {
        await Index.UpsertInstanceAsync(Make("P9", "9.1", "9.1.1", "9.1.1.1") with { BitsAllocated = 12 }, Ct);
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var version = new SqliteCommand("SELECT MAX(version) FROM index_schema_migrations", connection);
        Assert.Equal(7L, (long)(await version.ExecuteScalarAsync(Ct))!);
        await using var bits = new SqliteCommand("SELECT bits_allocated FROM instances WHERE sop_instance_uid = '9.1.1.1'", connection);
        Assert.Equal(12L, (long)(await bits.ExecuteScalarAsync(Ct))!);
    }

    [Fact]
    public async Task Study_query_by_patient_id_uses_an_index_and_stays_fast_with_many_studies()
    {
        // 4,000 studies of 2,000 patients, then a lookup by patient id.
        var batch = new List<IndexedInstance>();
        for (var i = 0; i < 4_000; i++)
        {
            batch.Add(Make($"PID{i % 2_000:D5}", $"2.25.{i}", $"2.25.{i}.1", $"2.25.{i}.1.1", patientName: $"Name{i}^Test"));
            if (batch.Count == 1_000)
            {
                await Index.UpsertInstancesAsync(batch, Ct);
                batch = [];
            }
        }

        var query = Q(QueryLevel.Study, IndexAuthorization.Restricted(["EST-A"], []), (IndexTags.PatientId, "PID01234"));
        await Index.QueryAsync(query, Ct);
        var watch = Stopwatch.StartNew();
        var rows = await Index.QueryAsync(query, Ct);
        watch.Stop();

        Assert.Equal(["2.25.1234", "2.25.3234"], Values(rows, IndexTags.StudyInstanceUid));
        Assert.True(watch.ElapsedMilliseconds < 200, $"query took {watch.ElapsedMilliseconds} ms");

        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var explain = new SqliteCommand(
            "EXPLAIN QUERY PLAN SELECT st.study_uid FROM studies st JOIN patients p ON p.patient_key = st.patient_key WHERE p.patient_id = 'PID01234'", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));

        // Planner statistics were refreshed while writing: with every study in one establishment, the restricted
        // query must still start from the unique patient id, not from the establishment index.
        await using (var stats = new SqliteCommand("SELECT COUNT(*) FROM sqlite_stat1 WHERE idx = 'ix_studies_establishment'", connection))
        {
            Assert.Equal(1L, (long)(await stats.ExecuteScalarAsync(Ct))!);
        }

        await using var restricted = new SqliteCommand(
            "EXPLAIN QUERY PLAN SELECT st.study_uid FROM studies st JOIN patients p ON p.patient_key = st.patient_key WHERE p.patient_id = 'PID01234' AND st.establishment_id IN ('EST-A')", connection);
        var restrictedPlan = new List<string>();
        await using (var reader = await restricted.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                restrictedPlan.Add(reader.GetString(3));
            }
        }

        Assert.DoesNotContain(restrictedPlan, step => step.Contains("ix_studies_establishment", StringComparison.Ordinal));
    }
}
