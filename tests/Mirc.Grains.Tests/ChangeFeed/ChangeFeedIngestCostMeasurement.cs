using System.Diagnostics;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Ingest;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// What the feed append costs an ingest: the same 4-caller ingests (512 KiB instances of one study; one-instance
/// studies) with the real feed and with a feed that records nothing, interleaved on fresh archives so both see the
/// same machine load. Reports figures; asserts only correctness.
/// </summary>
public sealed class ChangeFeedIngestCostMeasurement
{
    private const int Instances = 120;

    [Fact]
    [Trait("Category", "Measurement")]
    public async Task Ingest_with_and_without_the_feed_append()
    {
        var lines = new List<string> { $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}" };
        for (var round = 0; round < 2; round++)
        {
            foreach (var withFeed in new[] { false, true })
            {
                lines.Add($"{(withFeed ? "feed" : "no-feed")} one-study k4 512KiB: " + await MeasureAsync(withFeed, oneStudy: true));
                lines.Add($"{(withFeed ? "feed" : "no-feed")} one-instance studies k4: " + await MeasureAsync(withFeed, oneStudy: false));
            }
        }

        lines.Add($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("MEASURE changefeed-cost " + line);
        }
    }

    private static async Task<string> MeasureAsync(bool withFeed, bool oneStudy)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var archive = new ArchiveCluster { ChangeFeed = withFeed ? null : new NoFeed() };
        await archive.InitializeAsync();
        var study = SyntheticInstance.NewUid();
        var files = Enumerable.Range(0, Instances + 1)
            .Select(n => (oneStudy
                ? new SyntheticInstance { StudyUid = study, InstanceNumber = n, Rows = 512, Columns = 512, PatientId = "COST" }
                : new SyntheticInstance { PatientId = "COST-" + n }).ToPart10())
            .ToArray();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-COST" } };
        using (var first = new MemoryStream(files[0]))
        {
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(first, request, ct)).Status);
        }

        var latencies = new double[Instances];
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Instances, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var started = Stopwatch.GetTimestamp();
            using var stream = new MemoryStream(files[i + 1], writable: false);
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(stream, request, token)).Status);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        });
        clock.Stop();
        Array.Sort(latencies);
        return $"{Instances / clock.Elapsed.TotalSeconds:F0} inst/s, p50 {latencies[Instances / 2]:F1} ms, p95 {latencies[Instances * 95 / 100]:F1} ms";
    }

    /// <summary>Records nothing: the ingest as it was before the feed.</summary>
    private sealed class NoFeed : IChangeFeed
    {
        public Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<ChangeFeedEvent>> ReadAsync(long offset, int limit, string? establishmentId, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ChangeFeedEvent>>([]);

        public Task<ChangeFeedEvent?> LatestAsync(string? establishmentId, CancellationToken cancellationToken = default) => Task.FromResult<ChangeFeedEvent?>(null);

        public Task<IReadOnlyList<ChangeFeedStudy>> StudiesAsync(long afterFirstSequence, int limit, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ChangeFeedStudy>>([]);

        public Task<IReadOnlyList<ChangeFeedEvent>> StudyEventsAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ChangeFeedEvent>>([]);
    }
}
