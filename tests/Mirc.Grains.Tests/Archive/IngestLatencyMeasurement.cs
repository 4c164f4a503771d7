using System.Diagnostics;
using Mirc.Grains.Ingest;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// Ingest of 512 KiB instances with 4 callers (like 4 DIMSE associations, each waiting for its answer): the rate is
/// bound by the latency of one instance. Compares, under the same machine load (interleaved, fresh archives), the
/// pipeline with the early journal intent only, plus the patient cache, plus the index/manifest overlap.
/// Reports figures; asserts only correctness.
/// </summary>
public sealed class IngestLatencyMeasurement
{
    private const int Instances = 120;

    [Fact]
    [Trait("Category", "Measurement")]
    public async Task Four_callers_with_and_without_the_latency_cuts()
    {
        var lines = new List<string>();
        for (var round = 0; round < 2; round++)
        {
            lines.Add("early-intent-only " + await MeasureAsync(cache: false, overlap: false));
            lines.Add("cache " + await MeasureAsync(cache: true, overlap: false));
            lines.Add("cache+overlap " + await MeasureAsync(cache: true, overlap: true));
        }

        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("MEASURE k4 512KiB " + line);
        }
    }

    private static async Task<string> MeasureAsync(bool cache, bool overlap)
    {
        var ct = TestContext.Current.CancellationToken;
        TimingBlobStore? timing = null;
        await using var archive = new ArchiveCluster { DecorateBlobStore = inner => timing = new TimingBlobStore(inner) };
        archive.Settings["Mirc:Archive:Ingest:PatientCacheLifetime"] = cache ? "00:00:30" : "00:00:00";
        archive.Settings["Mirc:Archive:Ingest:OverlapIndexWithManifest"] = overlap ? "true" : "false";
        await archive.InitializeAsync();
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var files = Enumerable.Range(1, Instances)
            .Select(n => new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, Rows = 512, Columns = 512, PatientId = "K4" }.ToPart10())
            .ToArray();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-K4" } };
        using (var first = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, PatientId = "K4", InstanceNumber = 0 }.ToPart10()))
        {
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(first, request, ct)).Status);
        }

        timing!.Latencies.Clear();
        var latencies = new double[files.Length];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var started = Stopwatch.GetTimestamp();
            using var stream = new MemoryStream(files[i], writable: false);
            var outcome = await archive.Ingestor.IngestAsync(stream, request, token);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(IngestStatus.Stored, outcome.Status);
        });
        clock.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Array.Sort(latencies);
        var stages = string.Join(", ", timing.Latencies.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k =>
        {
            var sorted = k.Value.Order().ToArray();
            return $"{k.Key} n={sorted.Length} p50 {sorted[sorted.Length / 2]:F1} ms";
        }));
        return $"{files.Length / clock.Elapsed.TotalSeconds:F0} inst/s, p50 {latencies[latencies.Length / 2]:F1} ms, p95 {latencies[latencies.Length * 95 / 100]:F1} ms, {cpuUsed.TotalMilliseconds * 1000 / files.Length:F0} µs CPU/inst; stages: {stages}";
    }
}
