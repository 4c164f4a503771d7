using System.Diagnostics;
using System.Globalization;
using Mirc.Bench.Cli;
using Mirc.Bench.Measurement;
using Mirc.Grains.Indexing;
using Npgsql;

namespace Mirc.Bench.Indexing;

/// <summary>
/// <c>index-regional</c> (issue #21): fills a PostgreSQL query index with twenty years of a region synthesized inside
/// the server (<see cref="RegionalCatalogue"/>), then measures the archive's own study queries through
/// <see cref="PostgresQueryIndex"/> and the index-write side of a projection rebuild.
/// </summary>
public static class RegionalIndexCommand
{
    /// <summary>Text printed for <c>index-regional --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench index-regional --connection-string CS [--studies N] [--instance-studies N] [--chunk N]
                                         [--queries N] [--rebuild-studies N] [--rebuild-instances N] [--rebuild-step N]
          --connection-string CS  Npgsql connection string of an empty database (or one this command filled before:
                                  a database already holding --studies studies is queried as it is)
          --studies N             studies (default 1000000; a patient per 5 studies, one series each)
          --instance-studies N    studies given ~100 instance rows each (default 20000)
          --chunk N               studies per INSERT statement (default 1000000)
          --queries N             queries per kind (default 200)
          --rebuild-studies N     new studies written as the rebuilder writes them (default 300; 0 skips)
          --rebuild-instances N   instances per such study, in series of up to 50 (default 100; 1 for radiographs)
          --rebuild-step N        studies per rebuild transaction (default 100)
        """;

    private static readonly string[] Tables = ["patients", "studies", "series", "instances"];

    /// <summary>Fills (unless already filled), queries, rebuilds; prints one line per measurement.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        long studies = 1_000_000, instanceStudies = 20_000, chunk = 1_000_000;
        int queries = 200, rebuildStudies = 300, rebuildInstances = 100, rebuildStep = 100;
        string? connectionString = null;
        var arguments = new OptionReader(args);
        while (arguments.MoveNext())
        {
            switch (arguments.Name)
            {
                case "--connection-string": connectionString = arguments.Value(); break;
                case "--studies": studies = arguments.Positive(); break;
                case "--instance-studies": instanceStudies = arguments.Int(); break;
                case "--chunk": chunk = arguments.Positive(); break;
                case "--queries": queries = arguments.Positive(); break;
                case "--rebuild-studies": rebuildStudies = arguments.Int(); break;
                case "--rebuild-instances": rebuildInstances = arguments.Positive(); break;
                case "--rebuild-step": rebuildStep = arguments.Positive(); break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw arguments.Unknown();
            }
        }

        if (connectionString is null)
        {
            throw new ArgumentException("index-regional needs --connection-string");
        }

        var catalogue = new RegionalCatalogue(studies, instanceStudies);
        await using var index = new PostgresQueryIndex(connectionString);
        await index.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        Console.WriteLine(FormattableString.Invariant($"index-regional: {studies:N0} studies, {catalogue.Patients:N0} patients, instance rows for {Math.Min(instanceStudies, studies):N0} studies (load {LoadAverage.OneMinute():0.0})"));

        var existing = Convert.ToInt64(await ScalarAsync(dataSource, "SELECT COUNT(*) FROM studies", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (existing == 0)
        {
            await FillAsync(dataSource, catalogue, chunk, cancellationToken).ConfigureAwait(false);
        }
        else if (existing < studies)
        {
            throw new InvalidOperationException($"the database holds {existing} studies, fewer than {studies}: use an empty database");
        }

        await ReportSizesAsync(dataSource, studies, cancellationToken).ConfigureAwait(false);
        await MeasureQueriesAsync(index, catalogue, queries, cancellationToken).ConfigureAwait(false);
        if (rebuildStudies > 0)
        {
            await MeasureRebuildAsync(index, studies, rebuildStudies, rebuildInstances, rebuildStep, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task FillAsync(NpgsqlDataSource dataSource, RegionalCatalogue catalogue, long chunk, CancellationToken cancellationToken)
    {
        // Secondary indexes are dropped during the load and re-created from their own definitions (a bulk load then a
        // sort per index, instead of billions of random b-tree inserts); the unique keys stay, as the schema has them.
        var secondary = new List<(string Name, string Definition)>();
        await using (var command = dataSource.CreateCommand($"""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename IN ({string.Join(",", Tables.Select(t => $"'{t}'"))})
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                secondary.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var total = Stopwatch.StartNew();
        await ExecuteAsync(dataSource, string.Concat(secondary.Select(s => $"DROP INDEX {s.Name};")), cancellationToken).ConfigureAwait(false);
        await TimedAsync("patients", catalogue.Patients, chunk, catalogue.PatientsSql, dataSource, cancellationToken).ConfigureAwait(false);
        await TimedAsync("studies + series", catalogue.Studies, chunk, catalogue.StudiesSql, dataSource, cancellationToken).ConfigureAwait(false);
        await TimedAsync("instances", catalogue.Studies, chunk, catalogue.InstancesSql, dataSource, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(dataSource, RegionalCatalogue.SequencesSql, cancellationToken).ConfigureAwait(false);
        var indexes = Stopwatch.StartNew();
        foreach (var (_, definition) in secondary)
        {
            // pg_indexes shows a partitioned index as "ON ONLY" (the parent alone): re-create it on every partition.
            await ExecuteAsync(dataSource, definition.Replace(" ON ONLY ", " ON ", StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
        }

        Console.WriteLine(FormattableString.Invariant($"fill    {secondary.Count} secondary indexes re-created in {indexes.Elapsed.TotalSeconds:0} s"));
        var vacuum = Stopwatch.StartNew();
        await ExecuteAsync(dataSource, "VACUUM (ANALYZE) patients, studies, series, instances", cancellationToken).ConfigureAwait(false);
        Console.WriteLine(FormattableString.Invariant($"fill    VACUUM ANALYZE {vacuum.Elapsed.TotalSeconds:0} s; whole fill {total.Elapsed.TotalMinutes:0.0} min (load {LoadAverage.OneMinute():0.0})"));
    }

    private static async Task TimedAsync(string what, long count, long chunk, Func<long, long, string> sql, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (var from = 1L; from <= count; from += chunk)
        {
            var to = Math.Min(count, from + chunk - 1);
            await ExecuteAsync(dataSource, sql(from, to), cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine(FormattableString.Invariant($"  {what}: {to:N0} / {count:N0} ({watch.Elapsed.TotalSeconds:0} s)"));
        }

        Console.WriteLine(FormattableString.Invariant($"fill    {what}: {count:N0} keys in {watch.Elapsed.TotalSeconds:0} s ({count / watch.Elapsed.TotalSeconds:0} /s)"));
    }

    private static async Task ReportSizesAsync(NpgsqlDataSource dataSource, long studies, CancellationToken cancellationToken)
    {
        long sum = 0;
        foreach (var table in Tables)
        {
            // A partitioned table's own size is 0: sum its partitions (tables, indexes, TOAST).
            var sql = $"""
                WITH t AS (SELECT relid FROM pg_partition_tree('{table}') UNION SELECT '{table}'::regclass)
                SELECT SUM(pg_total_relation_size(t.relid)), SUM(GREATEST(c.reltuples, 0)) FROM t JOIN pg_class c ON c.oid = t.relid WHERE c.relkind = 'r'
                """;
            await using var command = dataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var bytes = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
            var rows = reader.IsDBNull(1) ? 0 : Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture);
            sum += bytes;
            Console.WriteLine(FormattableString.Invariant($"size    {table,-10} {rows,14:N0} rows  {bytes / 1048576.0,10:N0} MB  ({(rows > 0 ? bytes / rows : 0):0} B/row incl. indexes)"));
        }

        Console.WriteLine(FormattableString.Invariant($"size    total {sum / 1073741824.0:0.00} GB, {sum / 1073741824.0 / (studies / 1e6):0.00} GB per million studies"));
    }

    private static async Task MeasureQueriesAsync(PostgresQueryIndex index, RegionalCatalogue catalogue, int count, CancellationToken cancellationToken)
    {
        var all = IndexAuthorization.All;
        var kinds = new (string Name, Func<Random, IndexQuery> Make)[]
        {
            ("PatientID", r => RegionalCatalogue.StudyQuery(all, 1000, (IndexTags.PatientId, RegionalCatalogue.PatientId(catalogue.RandomPatient(r))))),
            ("PatientName FAMILY^GIVEN*", r =>
            {
                var p = catalogue.RandomPatient(r);
                var given = p.ToString(CultureInfo.InvariantCulture);
                return RegionalCatalogue.StudyQuery(all, 1000, (IndexTags.PatientName, $"{RegionalCatalogue.FamilyNames[p % 100]}^G{given[..Math.Max(1, given.Length - 1)]}*"));
            }),
            ("PatientName FAMILY* (100)", r => RegionalCatalogue.StudyQuery(all, 100, (IndexTags.PatientName, RegionalCatalogue.FamilyNames[r.Next(100)] + "*"))),
            ("AccessionNumber", r => RegionalCatalogue.StudyQuery(all, 1000, (IndexTags.AccessionNumber, "A" + (1 + r.NextInt64(catalogue.Studies)).ToString(CultureInfo.InvariantCulture)))),
            ("StudyInstanceUID", r => RegionalCatalogue.StudyQuery(all, 1000, (IndexTags.StudyInstanceUid, $"{RegionalCatalogue.Root}.2.{1 + r.NextInt64(catalogue.Studies)}"))),
            ("StudyDate one day (100)", r => RegionalCatalogue.StudyQuery(all, 100, (IndexTags.StudyDate, RegionalCatalogue.Da(RegionalCatalogue.RandomDay(r, 1))))),
            ("StudyDate 7 days (100)", r =>
            {
                var day = RegionalCatalogue.RandomDay(r, 7);
                return RegionalCatalogue.StudyQuery(all, 100, (IndexTags.StudyDate, $"{RegionalCatalogue.Da(day)}-{RegionalCatalogue.Da(day + 6)}"));
            }),
            ("Modality NM + one day (100)", r => RegionalCatalogue.StudyQuery(all, 100, (IndexTags.ModalitiesInStudy, "NM"), (IndexTags.StudyDate, RegionalCatalogue.Da(RegionalCatalogue.RandomDay(r, 1))))),
            ("Modality PT, no other key (100)", _ => RegionalCatalogue.StudyQuery(all, 100, (IndexTags.ModalitiesInStudy, "PT"))),
            ("PatientID, one establishment", r => RegionalCatalogue.StudyQuery(
                IndexAuthorization.Restricted([$"est-{r.Next(RegionalCatalogue.Establishments)}"], []), 1000,
                (IndexTags.PatientId, RegionalCatalogue.PatientId(catalogue.RandomPatient(r))))),
            ("StudyDate one day, establishment user (100)", r => RegionalCatalogue.StudyQuery(
                IndexAuthorization.Restricted([$"est-{r.Next(8)}"], Enumerable.Range(0, 20).Select(_ => "R" + catalogue.RandomPatient(r).ToString(CultureInfo.InvariantCulture))), 100,
                (IndexTags.StudyDate, RegionalCatalogue.Da(RegionalCatalogue.RandomDay(r, 1))))),
        };

        var random = new Random(21);
        foreach (var (name, make) in kinds)
        {
            await MeasureAsync(name, count, () => index.QueryAsync(make(random), cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // Image level of one study: one probe of each instance partition's series index.
        await MeasureAsync("Image level of a study", count, () =>
        {
            var s = catalogue.RandomStudyWithInstances(random);
            return index.QueryAsync(new IndexQuery(QueryLevel.Image, all)
            {
                Matches = new Dictionary<uint, string> { [IndexTags.StudyInstanceUid] = $"{RegionalCatalogue.Root}.2.{s}", [IndexTags.SopInstanceUid] = string.Empty },
                Limit = 10_000,
            }, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task MeasureAsync(string name, int count, Func<Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>>> query, CancellationToken cancellationToken)
    {
        // Warm-up: connection pool, the first page reads of each index.
        for (var i = 0; i < 5; i++)
        {
            await query().ConfigureAwait(false);
        }

        var latencies = new double[count];
        long rows = 0;
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var result = await query().ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            rows += result.Count;
        }

        if (rows == 0)
        {
            throw new InvalidOperationException($"query {name} matched nothing: the synthetic catalogue and the queries disagree.");
        }

        Array.Sort(latencies);
        Console.WriteLine(FormattableString.Invariant(
            $"query   {name,-44} x{count}: p50 {Percentile.NearestRank(latencies, 50),7:0.00} ms  p95 {Percentile.NearestRank(latencies, 95),7:0.00} ms  p99 {Percentile.NearestRank(latencies, 99),7:0.00} ms  ({rows / (double)count:0.0} rows/query, load {LoadAverage.OneMinute():0.0})"));
    }

    private static async Task MeasureRebuildAsync(PostgresQueryIndex index, long studies, int count, int instancesPerStudy, int step, CancellationToken cancellationToken)
    {
        // What QueryIndexRebuilder does per step once it has read the headers: UpsertInOrderAsync of the step's
        // instances, one transaction. New studies (of existing patients), as an empty-index rebuild writes.
        var random = new Random(5);
        var batches = Enumerable.Range(0, count).Select(i => RebuildStudy(i, studies, instancesPerStudy, random)).Chunk(step).ToList();
        var watch = Stopwatch.StartNew();
        var instances = 0;
        foreach (var batch in batches)
        {
            var instancesOfStep = batch.SelectMany(s => s).ToArray();
            await index.UpsertInOrderAsync(instancesOfStep, cancellationToken).ConfigureAwait(false);
            instances += instancesOfStep.Length;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"rebuild {count} studies x {instancesPerStudy} instances, {step} studies per step: {count / seconds:0.0} studies/s, {instances / seconds:0} instances/s ({seconds:0.0} s, load {LoadAverage.OneMinute():0.0}); 50 M such studies: {50e6 / (count / seconds) / 86400:0.0} days"));
    }

    private static IndexedInstance[] RebuildStudy(int i, long studies, int instances, Random random)
    {
        var patient = 1 + random.NextInt64(Math.Max(1, studies / 5));
        var study = $"{RegionalCatalogue.Root}.7.{i}";
        return Enumerable.Range(1, instances).Select(n => new IndexedInstance
        {
            PatientId = RegionalCatalogue.PatientId(patient),
            IssuerOfPatientId = "REGION",
            PatientName = $"{RegionalCatalogue.FamilyNames[patient % 100]}^G{patient}",
            RegionalPatientId = "R" + patient.ToString(CultureInfo.InvariantCulture),
            StudyInstanceUid = study,
            StudyDate = "20251231",
            StudyTime = "101500",
            AccessionNumber = $"REB-{i}",
            ProducingEstablishmentId = "est-1",
            SeriesInstanceUid = $"{study}.{1 + (n - 1) / 50}",
            Modality = "CT",
            SeriesNumber = 1 + (n - 1) / 50,
            SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            SopInstanceUid = $"{study}.{1 + (n - 1) / 50}.{n}",
            InstanceNumber = n,
            TransferSyntaxUid = "1.2.840.10008.1.2.4.80",
            Rows = 512,
            Columns = 512,
            BitsAllocated = 16,
        }).ToArray();
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        if (sql.Length == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
