using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Archive;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// What the feed costs and what it gives: the latency of one durable append (what a manifest commit now waits for after
/// its segment write), alone and with 4 concurrent committers sharing a commit; and the rate of the index rebuild from
/// the feed for 1,000 one-instance studies. Reports figures (with the machine's load); asserts only correctness.
/// </summary>
public sealed class ChangeFeedMeasurement
{
    [Fact]
    [Trait("Category", "Measurement")]
    public async Task Append_latency_and_rebuild_rate()
    {
        var ct = TestContext.Current.CancellationToken;
        var lines = new List<string> { $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}" };
        var folder = TestEnvironment.NewTempDirectory("feed-measure");
        try
        {
            await using var feed = new SqliteChangeFeed(Path.Combine(folder, "changefeed.db"));
            await feed.AppendAsync([ChangeFeedStoreTests.Event(ChangeFeedAction.Create, "1.9", "1.9.0", "EST")], ct);
            foreach (var callers in new[] { 1, 4 })
            {
                const int PerCaller = 200;
                var latencies = new double[callers * PerCaller];
                var clock = Stopwatch.StartNew();
                await Parallel.ForAsync(0, latencies.Length, new ParallelOptions { MaxDegreeOfParallelism = callers, CancellationToken = ct }, async (i, token) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    await feed.AppendAsync([ChangeFeedStoreTests.Event(ChangeFeedAction.Create, "1.9." + i, "1.9." + i + ".1", "EST")], token);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                });
                Array.Sort(latencies);
                lines.Add($"append k{callers}: {latencies.Length / clock.Elapsed.TotalSeconds:F0} appends/s, p50 {latencies[latencies.Length / 2]:F2} ms, p95 {latencies[latencies.Length * 95 / 100]:F2} ms");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        await using (var archive = new ArchiveCluster())
        {
            await archive.InitializeAsync();
            const int Studies = 1_000;
            var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-RE" } };
            var ingest = Stopwatch.StartNew();
            await Parallel.ForAsync(0, Studies, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
            {
                using var stream = new MemoryStream(new SyntheticInstance { PatientId = "RE-" + i }.ToPart10());
                Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(stream, request, token)).Status);
            });
            lines.Add($"ingest of {Studies} one-instance studies, 8 callers: {Studies / ingest.Elapsed.TotalSeconds:F0} studies/s");

            var feed = archive.Services.GetRequiredService<IChangeFeed>();
            foreach (var study in await feed.StudiesAsync(0, Studies, ct))
            {
                await archive.Index.DeleteStudyAsync(study.StudyInstanceUid, ct);
            }

            var rebuilder = archive.Services.GetRequiredService<QueryIndexRebuilder>();
            var clock = Stopwatch.StartNew();
            var (cursor, indexed) = (0L, 0);
            while (true)
            {
                var step = await rebuilder.RebuildAsync(cursor, 200, ct);
                (cursor, indexed) = (step.NextCursor, indexed + step.StudiesIndexed);
                if (step.Done)
                {
                    break;
                }
            }

            clock.Stop();
            Assert.Equal(Studies, indexed);
            Assert.Equal(Studies, await archive.Index.CountAsync(new IndexQuery(QueryLevel.Study, IndexAuthorization.All), ct));
            lines.Add($"rebuild of {Studies} one-instance studies: {Studies / clock.Elapsed.TotalSeconds:F0} studies/s ({clock.Elapsed.TotalSeconds:F1} s)");
        }

        lines.Add($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("MEASURE changefeed " + line);
        }
    }
}
