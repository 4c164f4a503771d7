using Mirc.Grains.Ingest;
using Mirc.Grains.Retrieval;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class RetrievalTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-R" } }, TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        return outcome;
    }

    [Fact]
    public async Task Study_is_streamed_in_order_and_byte_identical_with_prefetch()
    {
        var study = SyntheticInstance.NewUid();
        var series1 = SyntheticInstance.NewUid();
        var series2 = SyntheticInstance.NewUid();
        var instances = new List<SyntheticInstance>();
        foreach (var n in new[] { 5, 3, 1, 4, 2 })
        {
            instances.Add(new SyntheticInstance { StudyUid = study, SeriesUid = series1, InstanceNumber = n, SeriesNumber = 1 });
        }

        instances.Add(new SyntheticInstance { StudyUid = study, SeriesUid = series2, InstanceNumber = 1, SeriesNumber = 2 });
        var bytes = new Dictionary<string, byte[]>();
        foreach (var i in instances)
        {
            bytes[i.SopUid] = i.ToPart10();
            await IngestAsync(i);
        }

        var resolved = await archive.Retriever.ResolveAsync(new RetrievalScope(study), TestContext.Current.CancellationToken);
        var received = new List<(string Sop, byte[] Bytes)>();
        await foreach (var item in archive.Retriever.OpenAsync(resolved, prefetch: 3, TestContext.Current.CancellationToken))
        {
            await using (item)
            {
                using var copy = new MemoryStream();
                await item.Content.CopyToAsync(copy, TestContext.Current.CancellationToken);
                received.Add((item.Instance.SopInstanceUid, copy.ToArray()));
            }
        }

        var expectedOrder = instances.Where(i => i.SeriesUid == series1).OrderBy(i => i.InstanceNumber).Append(instances[^1]).Select(i => i.SopUid);
        Assert.Equal(expectedOrder, received.Select(r => r.Sop));
        Assert.All(received, r => Assert.Equal(bytes[r.Sop], r.Bytes));
        Assert.Single(await archive.Retriever.ResolveAsync(new RetrievalScope(study, series2), TestContext.Current.CancellationToken));
        Assert.Single(await archive.Retriever.ResolveAsync(new RetrievalScope(study, null, instances[0].SopUid), TestContext.Current.CancellationToken));
        Assert.Empty(await archive.Retriever.ResolveAsync(new RetrievalScope(SyntheticInstance.NewUid()), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Stopping_early_releases_prefetched_instances()
    {
        var study = SyntheticInstance.NewUid();
        for (var n = 1; n <= 6; n++)
        {
            await IngestAsync(new SyntheticInstance { StudyUid = study, InstanceNumber = n });
        }

        var resolved = await archive.Retriever.ResolveAsync(new RetrievalScope(study), TestContext.Current.CancellationToken);
        var seen = 0;
        await foreach (var item in archive.Retriever.OpenAsync(resolved, prefetch: 4, TestContext.Current.CancellationToken))
        {
            await using (item)
            {
                seen++;
                break;
            }
        }

        Assert.Equal(1, seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Frames_are_read_as_byte_ranges(bool encapsulated)
    {
        var instance = new SyntheticInstance { Frames = 5, Rows = 8, Columns = 8, Encapsulated = encapsulated };
        var outcome = await IngestAsync(instance);
        var entry = outcome.Instance!;
        Assert.Equal(5, entry.FrameCount);
        Assert.Equal(encapsulated, entry.Frames.Encapsulated);

        var frames = await archive.Retriever.ReadFramesAsync(entry, [4, 1, 5], TestContext.Current.CancellationToken);

        Assert.Equal([4, 1, 5], frames.Select(f => f.FrameNumber));
        Assert.Equal(instance.FramePixels(3), frames[0].Content.ToArray());
        Assert.Equal(instance.FramePixels(0), frames[1].Content.ToArray());
        Assert.Equal(instance.FramePixels(4), frames[2].Content.ToArray());
        await Assert.ThrowsAsync<InstanceNotFoundException>(() => archive.Retriever.ReadFramesAsync(entry, [6], TestContext.Current.CancellationToken));
    }
}
