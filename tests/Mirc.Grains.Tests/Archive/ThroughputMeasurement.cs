using System.Diagnostics;
using Mirc.Grains.Ingest;
using Mirc.Grains.Retrieval;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// Ingest and retrieve rate of a 300-slice 512×512 16-bit synthetic CT through the in-process API (durable filesystem
/// store, blob grain storage, SQLite index). Reports figures in the test output; asserts only correctness.
/// </summary>
public sealed class ThroughputMeasurement(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    [Fact]
    [Trait("Category", "Measurement")]
    public async Task Ingest_and_retrieve_a_300_slice_ct()
    {
        var ct = TestContext.Current.CancellationToken;
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var files = Enumerable.Range(1, 300)
            .Select(n => new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, Rows = 512, Columns = 512, PatientId = "PERF" }.ToPart10())
            .ToArray();
        var totalBytes = files.Sum(f => (long)f.Length);
        var request = new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-PERF" } };

        // Warm-up outside the measurement: first activations, JIT.
        await archive.Ingestor.IngestAsync(new MemoryStream(new SyntheticInstance { Rows = 512, Columns = 512 }.ToPart10()), request, ct);

        var ingest = Stopwatch.StartNew();
        var outcomes = new IngestOutcome[files.Length];
        await Parallel.ForAsync(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, token) =>
        {
            using var stream = new MemoryStream(files[i], writable: false);
            outcomes[i] = await archive.Ingestor.IngestAsync(stream, request, token);
        });
        ingest.Stop();
        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));

        var retrieve = Stopwatch.StartNew();
        var entries = await archive.Retriever.ResolveAsync(new RetrievalScope(study), ct);
        long read = 0;
        var buffer = new byte[81920];
        await foreach (var item in archive.Retriever.OpenAsync(entries, cancellationToken: ct))
        {
            await using (item)
            {
                int n;
                while ((n = await item.Content.ReadAsync(buffer, ct)) > 0)
                {
                    read += n;
                }
            }
        }

        retrieve.Stop();
        Assert.Equal(300, entries.Count);
        Assert.Equal(totalBytes, read);
        var mb = totalBytes / 1e6;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"MEASURE 300 x 512x512 CT ({mb:F0} MB): ingest {300 / ingest.Elapsed.TotalSeconds:F0} inst/s, {mb / ingest.Elapsed.TotalSeconds:F0} MB/s; " +
            $"retrieve {300 / retrieve.Elapsed.TotalSeconds:F0} inst/s, {mb / retrieve.Elapsed.TotalSeconds:F0} MB/s");
    }
}
