using System.Diagnostics;
using Mirc.Grains.Ingest;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// A/B of the per-silo patient resolution cache under the same machine load: the same 200-instance series is ingested
/// into two fresh archives, one with the cache off. Reports rate and process CPU per instance (robust to a loaded
/// machine); asserts only correctness.
/// </summary>
public sealed class PatientCacheMeasurement
{
    [Fact]
    public async Task The_cache_cuts_grain_calls_per_instance_to_the_study_reservation_manifest_and_its_write()
    {
        var withCache = await CountCallsAsync(cacheLifetime: "00:00:30");
        var withoutCache = await CountCallsAsync(cacheLifetime: "00:00:00");
        TestContext.Current.TestOutputHelper?.WriteLine($"MEASURE grain calls per instance: cache on {withCache:F2}, off {withoutCache:F2}");

        // Reserve, AddInstance and the manifest write's end (the study answers before it, the intent stays until it) only;
        // without the cache, identity index + patient registration on top.
        Assert.True(withCache <= 3.05, $"cache on: {withCache} calls per instance");
        Assert.True(withoutCache >= 3.95, $"cache off: {withoutCache} calls per instance");
    }

    private static async Task<double> CountCallsAsync(string cacheLifetime)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var archive = new ArchiveCluster();
        archive.Settings["Mirc:Archive:Ingest:PatientCacheLifetime"] = cacheLifetime;
        await archive.InitializeAsync();
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-CALLS" } };
        using (var first = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, PatientId = "CALLS" }.ToPart10()))
        {
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(first, request, ct)).Status);
        }

        archive.Calls.Reset();
        const int count = 40;
        for (var n = 2; n < 2 + count; n++)
        {
            using var stream = new MemoryStream(new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, PatientId = "CALLS" }.ToPart10());
            Assert.Equal(IngestStatus.Stored, (await archive.Ingestor.IngestAsync(stream, request, ct)).Status);
        }

        // Which calls, when the count is off.
        TestContext.Current.TestOutputHelper?.WriteLine($"cache {cacheLifetime}: " + string.Join(", ", archive.Calls.Snapshot().OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")));
        return archive.Calls.Total / (double)count;
    }

    [Fact]
    [Trait("Category", "Measurement")]
    public async Task Ingest_with_and_without_the_patient_cache()
    {
        var withCache = await MeasureAsync(cacheLifetime: "00:00:30");
        var withoutCache = await MeasureAsync(cacheLifetime: "00:00:00");
        TestContext.Current.TestOutputHelper?.WriteLine($"MEASURE patient cache on: {withCache}; off: {withoutCache}");
    }

    private static async Task<string> MeasureAsync(string cacheLifetime)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var archive = new ArchiveCluster();
        archive.Settings["Mirc:Archive:Ingest:PatientCacheLifetime"] = cacheLifetime;
        await archive.InitializeAsync();
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var files = Enumerable.Range(1, 200)
            .Select(n => new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, Rows = 128, Columns = 128, PatientId = "CACHE" }.ToPart10())
            .ToArray();
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-CACHE" } };
        await archive.Ingestor.IngestAsync(new MemoryStream(new SyntheticInstance { PatientId = "CACHE" }.ToPart10()), request, ct);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var outcomes = new IngestOutcome[files.Length];
        await Parallel.ForAsync(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            using var stream = new MemoryStream(files[i], writable: false);
            outcomes[i] = await archive.Ingestor.IngestAsync(stream, request, token);
        });
        clock.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));
        Assert.Single(outcomes.Select(o => o.PatientId).Distinct());
        return $"{files.Length / clock.Elapsed.TotalSeconds:F0} inst/s, {cpuUsed.TotalMilliseconds * 1000 / files.Length:F0} µs CPU/inst";
    }
}
