using Mirc.Testing;
using Mirc.Grains.Indexing;
using Mirc.Grains.Indexing.Sql;
using Npgsql;
using Xunit;
using static Mirc.Grains.Tests.Indexing.IndexedInstances;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>The index contract on a throw-away PostgreSQL cluster (one schema per test).</summary>
public sealed class PostgresQueryIndexTests(PostgresFixture postgres) : QueryIndexContractTests, IClassFixture<PostgresFixture>
{
    private string? _connectionString;

    protected override async Task<IQueryIndex> CreateIndexAsync() => new PostgresQueryIndex(_connectionString = await postgres.CreateSchemaAsync(), maxBatchSize: 500);

    protected override bool ModalitiesAssignedByEveryPass => true;

    protected override async Task InstallRowWriteCountersAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var triggers = new NpgsqlCommand($"""
            CREATE TABLE row_writes (n BIGSERIAL PRIMARY KEY, row TEXT NOT NULL);
            CREATE FUNCTION count_row_write() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN INSERT INTO row_writes (row) VALUES (TG_ARGV[0]); RETURN NEW; END $$;
            CREATE TRIGGER count_patient AFTER UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION count_row_write('patient');
            CREATE TRIGGER count_study AFTER UPDATE OF {RowWriteColumns.Study} ON studies FOR EACH ROW EXECUTE FUNCTION count_row_write('study');
            CREATE TRIGGER count_modalities AFTER UPDATE OF modalities ON studies FOR EACH ROW EXECUTE FUNCTION count_row_write('modalities');
            CREATE TRIGGER count_series AFTER UPDATE OF {RowWriteColumns.Series} ON series FOR EACH ROW EXECUTE FUNCTION count_row_write('series');
            """, connection);
        await triggers.ExecuteNonQueryAsync(Ct);
    }

    protected override async Task<List<string>> RowWritesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT row FROM row_writes ORDER BY n", connection);
        return await FirstColumnAsync(command);
    }

    [Fact]
    public async Task Two_silos_writers_upserting_the_same_patients_at_once_commit_everything_with_exact_counts()
    {
        // Each silo has its own group-commit writer on the shared database; their batches (patients, studies, series, then
        // instances, each one statement) overlap on patients and studies. Every write must commit and every count add up.
        var connectionString = await postgres.CreateSchemaAsync();
        await using var first = new PostgresQueryIndex(connectionString, maxBatchSize: 50);
        await using var second = new PostgresQueryIndex(connectionString, maxBatchSize: 50);
        await Task.WhenAll(first.InitializeAsync(Ct), second.InitializeAsync(Ct));

        // 8 patients, 40 studies of 2 series; each study's instances split between the two silos, in shuffled order.
        var instances = Enumerable.Range(0, 40).SelectMany(s => Enumerable.Range(0, 10).Select(n =>
            Make($"TW{s % 8}", $"81.{s}", $"81.{s}.{n % 2}", $"81.{s}.{n % 2}.{n}", modality: n % 2 == 0 ? "CT" : "MR", seriesNumber: 1 + (n % 2), instanceNumber: n))).ToList();
        var random = new Random(7);
        await Parallel.ForEachAsync(instances.OrderBy(_ => random.Next()).Select((instance, i) => (instance, i)), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct },
            async (w, ct) => await (w.i % 2 == 0 ? first : second).UpsertInstanceAsync(w.instance, ct));

        for (var s = 0; s < 40; s++)
        {
            var study = await first.GetStudyAsync($"81.{s}", Ct);
            Assert.Equal((10, 2, $"TW{s % 8}"), (study!.NumberOfInstances, study.NumberOfSeries, study.PatientId));
        }

        var patients = await first.QueryAsync(new IndexQuery(QueryLevel.Patient, IndexAuthorization.All) { Limit = 100 }, Ct);
        Assert.Equal(Enumerable.Repeat("5", 8), patients.Select(p => p[IndexTags.NumberOfPatientRelatedStudies]));
        Assert.Equal(400, await second.CountAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All), Ct));
    }

    [Fact]
    public async Task A_schema_of_the_previous_release_is_migrated_once_even_by_silos_starting_together()
    {
        var connectionString = await postgres.CreateSchemaAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand(LegacyIndexDatabase.PostgresSchema + LegacyIndexDatabase.Seed, connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        // Two silos start on the old schema at once: the advisory lock lets one migrate, the other sees it done.
        await using var first = new PostgresQueryIndex(connectionString);
        await using var second = new PostgresQueryIndex(connectionString);
        await Task.WhenAll(first.InitializeAsync(Ct), second.InitializeAsync(Ct));
        await LegacyIndexDatabase.AssertMigratedAndUsableAsync(first, Ct);
        Assert.Equal(2, (await second.GetStudyAsync("7.1", Ct))!.NumberOfInstances);

        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync(Ct);
        await using var versions = new NpgsqlCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM index_schema_migrations", check);
        Assert.Equal("2,3,4,5,6,7", (string?)await versions.ExecuteScalarAsync(Ct));

        // Migration 3 moved the instance rows into the hash-partitioned table: the old row kept its key, the new one
        // got the next, and each landed in exactly one partition.
        await using var layout = new NpgsqlCommand("""
            SELECT (SELECT relkind::text FROM pg_class WHERE oid = 'instances'::regclass),
                   (SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'instances'::regclass),
                   (SELECT string_agg(instance_key::text || ':' || sop_instance_uid, ',' ORDER BY instance_key) FROM instances),
                   (SELECT COUNT(DISTINCT tableoid) FROM instances)
            """, check);
        await using var reader = await layout.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("p", reader.GetString(0));
        Assert.Equal(InstancePartitioning.Count, reader.GetInt64(1));
        Assert.Equal("1:7.1.1.1,2:7.1.1.2", reader.GetString(2));
        Assert.Equal(2, reader.GetInt64(3));
    }

    [Fact]
    public async Task A_study_date_search_reads_its_page_in_date_order_off_the_date_index()
    {
        var connectionString = await postgres.CreateSchemaAsync();
        await using var index = new PostgresQueryIndex(connectionString);
        // Studies indexed newest first: key order and date order disagree, and the page follows the dates.
        for (var i = 0; i < 5; i++)
        {
            await index.UpsertInstanceAsync(IndexedInstances.Make($"P{i}", $"8.{i}", $"8.{i}.1", $"8.{i}.1.1", studyDate: $"2020010{5 - i}"), Ct);
        }

        var page = await index.QueryAsync(new IndexQuery(QueryLevel.Study, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.StudyDate] = "20200102-20200105" },
            Limit = 2,
            Offset = 1,
        }, Ct);
        Assert.Equal(["20200103", "20200104"], page.Select(r => r[IndexTags.StudyDate]));

        // A name prefix pages in name order (the order of ix_patients_name), whatever the keys.
        for (var i = 0; i < 3; i++)
        {
            await index.UpsertInstanceAsync(IndexedInstances.Make($"N{i}", $"9.{i}", $"9.{i}.1", $"9.{i}.1.1", patientName: $"Durand^Z{3 - i}"), Ct);
        }

        var names = await index.QueryAsync(new IndexQuery(QueryLevel.Study, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.PatientName] = "DURAND^Z*" },
            Limit = 2,
        }, Ct);
        Assert.Equal(["Durand^Z1", "Durand^Z2"], names.Select(r => r[IndexTags.PatientName]));

        // The plan PostgreSQL picks for that shape on a table too large to sort: an ordered scan of the date index.
        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync(Ct);
        await using (var settings = new NpgsqlCommand("SET enable_seqscan = off; SET enable_sort = off; SET enable_incremental_sort = off", check))
        {
            await settings.ExecuteNonQueryAsync(Ct);
        }

        await using var plan = new NpgsqlCommand("""
            EXPLAIN SELECT st.study_uid FROM studies st JOIN patients p ON p.patient_key = st.patient_key
            WHERE st.study_date >= '20200102' AND st.study_date <= '20200105' ORDER BY st.study_date, st.study_key LIMIT 2
            """, check);
        var lines = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                lines.Add(reader.GetString(0));
            }
        }

        Assert.Contains(lines, l => l.Contains("ix_studies_date", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Sort", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_establishment_user_search_and_a_modality_of_a_day_read_their_keys_off_the_indexes()
    {
        var connectionString = await postgres.CreateSchemaAsync();
        await using (var index = new PostgresQueryIndex(connectionString))
        {
            await index.InitializeAsync(Ct);
            await index.UpsertInstancesAsync(Enumerable.Range(0, 200).Select(i => IndexedInstances.Make(
                $"P{i}", $"5.{i}", $"5.{i}.1", $"5.{i}.1.1", establishment: $"EST-{i % 4}", regional: $"R-{i}",
                studyDate: $"202001{1 + (i % 28):D2}", modality: i % 10 == 0 ? "NM" : "CT")).ToList(), Ct);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using (var prepare = new NpgsqlCommand("VACUUM ANALYZE studies, patients; SET enable_seqscan = off; SET enable_bitmapscan = off", connection))
        {
            await prepare.ExecuteNonQueryAsync(Ct);
        }

        var builder = new IndexQuerySqlBuilder(SqlDialect.Postgres);
        var establishmentUser = await Plan(builder.BuildSelect(new IndexQuery(QueryLevel.Study, IndexAuthorization.Restricted(["EST-1"], ["R-2", "R-3"]))
        {
            Matches = new Dictionary<uint, string> { [IndexTags.StudyDate] = "20200103" },
            Limit = 100,
        }));
        var modalityOfADay = await Plan(builder.BuildSelect(new IndexQuery(QueryLevel.Study, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.StudyDate] = "20200103", [IndexTags.ModalitiesInStudy] = "NM" },
            Limit = 100,
        }));

        // The establishment branch is a range of (establishment_id, study_date, study_key), the other starts at the patients.
        Assert.Contains(establishmentUser, l => l.Contains("ix_studies_establishment", StringComparison.Ordinal));
        Assert.Contains(establishmentUser, l => l.Contains("ix_patients_regional", StringComparison.Ordinal));
        // The OR is left only in the page's per-row patient study count (a SubPlan over that patient's studies), which
        // reads (patient_key, establishment_id) from the index alone.
        Assert.DoesNotContain(establishmentUser.TakeWhile(l => !l.Contains("SubPlan", StringComparison.Ordinal)), l => l.Contains(" OR ", StringComparison.Ordinal));
        Assert.Contains(establishmentUser.SkipWhile(l => !l.Contains("SubPlan", StringComparison.Ordinal)), l => l.Contains("Index Only Scan using ix_studies_patient", StringComparison.Ordinal));

        // The day's studies are filtered on their modalities inside the date index, no series probe.
        Assert.Contains(modalityOfADay, l => l.Contains("Index Only Scan using ix_studies_date", StringComparison.Ordinal));
        Assert.DoesNotContain(modalityOfADay, l => l.Contains("series", StringComparison.Ordinal));

        async Task<List<string>> Plan(SqlStatement statement)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + statement.Text, connection);
            statement.Parameters.ApplyTo(explain);
            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                lines.Add(reader.GetString(0));
            }

            return lines;
        }
    }
}
