using System.Security.Cryptography;
using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;
using Mirc.Grains.Tests.Archive;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Replication;

/// <summary>What the two-site tests share: ingest of synthetic instances and the check of a site's copy against the digest.</summary>
internal static class TwoSiteArchive
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ReplicatedBlobStore Sites(ArchiveCluster archive) => Assert.IsType<ReplicatedBlobStore>(archive.Blobs);

    public static async Task<IngestOutcome> IngestAsync(ArchiveCluster archive, SyntheticInstance instance)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-2S" } }, Ct);
    }

    /// <summary>SHA-256 (hex) of a site's copy, or null when the site lacks it.</summary>
    public static async Task<string?> HashOnAsync(IBlobStore site, BlobKey key)
    {
        try
        {
            await using var stream = await site.OpenReadAsync(key, null, Ct);
            return await Xxh128.OfAsync(stream, Ct);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Waits (bounded) until the backlog is empty; returns how long it took.</summary>
    public static async Task<TimeSpan> WaitCaughtUpAsync(ReplicatedBlobStore sites, TimeSpan limit)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (sites.Backlog.Count > 0)
        {
            Assert.True(started.Elapsed < limit, $"the second site did not catch up within {limit}: {sites.Backlog.Count} changes still queued");
            await Task.Delay(50, Ct);
        }

        return started.Elapsed;
    }

    public static async Task<byte[]> RetrieveAsync(ArchiveCluster archive, Mirc.Grains.Interfaces.Studies.InstanceEntry entry)
    {
        await foreach (var item in archive.Retriever.OpenAsync([entry], 1, Ct))
        {
            await using (item)
            {
                using var copy = new MemoryStream();
                await item.Content.CopyToAsync(copy, Ct);
                return copy.ToArray();
            }
        }

        throw new InvalidOperationException("nothing retrieved");
    }
}
