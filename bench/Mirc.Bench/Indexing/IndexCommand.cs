using System.Diagnostics;
using Mirc.Bench.Cli;
using Mirc.Bench.Measurement;
using Mirc.Grains.Indexing;
using Mirc.Grains.Indexing.Sql;

namespace Mirc.Bench.Indexing;

/// <summary>
/// <c>index [--studies N] [--provider sqlite|postgres]</c>: fills a query index with N synthetic studies through the
/// bulk path, measures study queries (patient id, name wildcard, date range) and group-committed upserts.
/// </summary>
public static class IndexCommand
{
    /// <summary>Text printed for <c>index --help</c>.</summary>
    public const string Usage = """
        usage: Mirc.Bench index [--studies N] [--provider sqlite|postgres] [--connection-string CS] [--path FILE]
                                [--queries N] [--writers K] [--upserts N] [--keep]
          --studies N             studies in the index (default 100000; 2 studies per patient, 1 series, 1 instance each)
          --provider P            sqlite (default, a fresh file) or postgres (needs --connection-string; use an empty database or schema)
          --connection-string CS  Npgsql connection string
          --path FILE             SQLite file (default: fresh file under the temp folder, deleted unless --keep)
          --queries N             queries per kind (default 300)
          --writers K             concurrent single-instance upserters (default 8)
          --upserts N             instances upserted by them in total (default 4000)
        """;

    /// <summary>Fills, queries, upserts; prints one line per measurement.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        int studies = 100_000, queries = 300, writers = 8, upserts = 4000;
        string provider = "sqlite";
        string? connectionString = null, path = null;
        var keep = false;
        var arguments = new OptionReader(args);
        while (arguments.MoveNext())
        {
            switch (arguments.Name)
            {
                case "--studies": studies = arguments.Positive(); break;
                case "--provider": provider = arguments.Value(); break;
                case "--connection-string": connectionString = arguments.Value(); break;
                case "--path": path = arguments.Value(); break;
                case "--queries": queries = arguments.Positive(); break;
                case "--writers": writers = arguments.Positive(); break;
                case "--upserts": upserts = arguments.Positive(); break;
                case "--keep": keep = true; break;
                case "--help": Console.WriteLine(Usage); return 0;
                default: throw arguments.Unknown();
            }
        }

        var ownsFile = path is null;
        path ??= Path.Combine(Path.GetTempPath(), $"mirc-bench-index-{Guid.NewGuid():N}.db");
        RelationalQueryIndex index = provider switch
        {
            "sqlite" => new SqliteQueryIndex(path),
            "postgres" => new PostgresQueryIndex(connectionString ?? throw new ArgumentException("--provider postgres needs --connection-string")),
            _ => throw new ArgumentException("--provider takes sqlite or postgres"),
        };
        Console.Error.WriteLine($"index: {provider}, {studies} studies");
        try
        {
            await index.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var catalogue = new SyntheticCatalogue(studies);

            var fill = Stopwatch.StartNew();
            foreach (var batch in catalogue.Instances().Chunk(2_000))
            {
                await index.UpsertInstancesAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            fill.Stop();
            Console.WriteLine(FormattableString.Invariant($"fill    {studies} studies (bulk, 2000 per transaction): {studies / fill.Elapsed.TotalSeconds:0} studies/s ({fill.Elapsed.TotalSeconds:0.0} s)"));

            var random = new Random(7);
            await MeasureQueriesAsync("by PatientID", queries, () => catalogue.PatientIdQuery(random), index, expectRows: true, cancellationToken).ConfigureAwait(false);
            await MeasureQueriesAsync("by PatientName wildcard", queries, () => catalogue.NameWildcardQuery(random), index, expectRows: true, cancellationToken).ConfigureAwait(false);
            await MeasureQueriesAsync("by StudyDate range", queries, () => catalogue.DateRangeQuery(random), index, expectRows: true, cancellationToken).ConfigureAwait(false);
            await MeasureQueriesAsync("by PatientID, restricted", queries, () => catalogue.PatientIdQuery(random) with { Authorization = catalogue.OneEstablishment }, index, expectRows: false, cancellationToken).ConfigureAwait(false);

            var next = -1;
            var upsert = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < upserts)
                {
                    await index.UpsertInstanceAsync(catalogue.ExtraInstance(i), cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken))).ConfigureAwait(false);
            upsert.Stop();
            Console.WriteLine(FormattableString.Invariant($"upsert  {upserts} instances, {writers} concurrent writers (group commit): {upserts / upsert.Elapsed.TotalSeconds:0} instances/s ({upsert.Elapsed.TotalSeconds:0.0} s, load {LoadAverage.OneMinute():0.0})"));
            return 0;
        }
        finally
        {
            await index.DisposeAsync().ConfigureAwait(false);
            if (ownsFile && !keep)
            {
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }
            }
        }
    }

    private static async Task MeasureQueriesAsync(string name, int count, Func<IndexQuery> query, IQueryIndex index, bool expectRows, CancellationToken cancellationToken)
    {
        // Warm-up: connection pool, statement cache, first page reads.
        await index.QueryAsync(query(), cancellationToken).ConfigureAwait(false);
        var latencies = new double[count];
        long rows = 0;
        for (var i = 0; i < count; i++)
        {
            var q = query();
            var started = Stopwatch.GetTimestamp();
            var result = await index.QueryAsync(q, cancellationToken).ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            rows += result.Count;
        }

        if (expectRows && rows == 0)
        {
            throw new InvalidOperationException($"query {name} matched nothing: the synthetic catalogue and the queries disagree.");
        }

        Array.Sort(latencies);
        Console.WriteLine(FormattableString.Invariant(
            $"query   {name,-26} x{count}: p50 {Percentile.NearestRank(latencies, 50):0.00} ms  p95 {Percentile.NearestRank(latencies, 95):0.00} ms  p99 {Percentile.NearestRank(latencies, 99):0.00} ms  ({rows / (double)count:0.0} rows/query)"));
    }
}
