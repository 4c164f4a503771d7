using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;
using Mirc.Grains.Tests.Archive;
using Xunit;
using static Mirc.Grains.Tests.Replication.TwoSiteArchive;

namespace Mirc.Grains.Tests.Replication;

/// <summary>
/// Embedded mode on two folders, asynchronous: the second folder catches up with instances and grain state (measured
/// lag), a corrupt instance on the first folder is served from the second and repaired by the scrubber.
/// </summary>
public sealed class FolderTwoSiteTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new();
    private readonly string _secondSite = Path.Combine(Path.GetTempPath(), "mirc-second-site", Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Replication:SecondSitePath"] = _secondSite;
        _archive.Settings["Mirc:Replication:Mode"] = nameof(ReplicationMode.Asynchronous);
        _archive.Settings["Mirc:Replication:ScrubEnabled"] = "false";
        await _archive.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _archive.DisposeAsync();
        TestEnvironmentCleanup(_secondSite);
    }

    [Fact]
    public async Task The_second_folder_catches_up_and_a_corrupt_first_copy_is_served_from_it_then_repaired()
    {
        var sites = Sites(_archive);
        Assert.Equal(ReplicationMode.Asynchronous, sites.Mode);
        var study = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 20).Select(n => new SyntheticInstance { StudyUid = study, InstanceNumber = n, PixelSeed = n }).ToArray();
        await Parallel.ForEachAsync(instances, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (instance, _) =>
        {
            var outcome = await IngestAsync(_archive, instance);
            Assert.True(outcome.Status == IngestStatus.Stored, $"{outcome.Status}: {outcome.Detail}");
        });

        var caughtUp = await WaitCaughtUpAsync(sites, TimeSpan.FromSeconds(30));
        TestContext.Current.TestOutputHelper?.WriteLine($"asynchronous: drained {caughtUp.TotalMilliseconds:F0} ms after the last acknowledgement, max lag {sites.Backlog.MaxLag.TotalMilliseconds:F0} ms");
        var entries = await _archive.Retriever.ResolveAsync(new RetrievalScope(study), Ct);
        Assert.Equal(20, entries.Count);
        var second = new FileSystemBlobStore(_secondSite);
        foreach (var entry in entries)
        {
            Assert.Equal(entry.Digest, await HashOnAsync(second, new BlobKey(entry.BlobContainer, entry.BlobName)));
        }

        // Grain state (the study manifest among it) is in the second folder too; staging is not.
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_secondSite, _archive.Layout.GrainStateContainer), "*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(_secondSite, _archive.Layout.StagingContainer)));

        // The change feed's events follow to the second site (pages of JSON), each instance's Create among them.
        var pages = Path.Combine(_secondSite, _archive.Layout.GrainStateContainer, "changefeed");
        var feedCopied = System.Diagnostics.Stopwatch.StartNew();
        while (!instances.All(i => MirroredFeed(pages).Contains(i.SopUid, StringComparison.Ordinal)))
        {
            Assert.True(feedCopied.Elapsed < TimeSpan.FromSeconds(30), "the change feed did not reach the second site within 30 s");
            await Task.Delay(100, Ct);
        }

        var victim = entries[3];
        var path = Path.Combine(_archive.DataPath, "blobs", victim.BlobContainer, victim.BlobName);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[^2] ^= 0x5A;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var original = instances.Single(i => i.SopUid == victim.SopInstanceUid).ToPart10();
        Assert.Equal(original, await RetrieveAsync(_archive, victim));

        var report = await _archive.Grains.GetGrain<IReplicaScrubGrain>(IReplicaScrubGrain.Key).ScrubNowAsync();
        Assert.Equal(1, report.RepairedOnFirst);
        Assert.Equal(0, report.RepairedOnSecond);
        Assert.Equal(0, report.Unrepairable);
        Assert.True(report.Compared >= 20);
        Assert.Equal(original, await File.ReadAllBytesAsync(path, Ct));
        await _archive.Audit.FlushAsync(Ct);
        Assert.Contains(_archive.Audit.Durable, e => e.Action == AuditAction.ReplicaRepair && e.Detail!.Contains(victim.BlobName, StringComparison.Ordinal));
    }

    private static string MirroredFeed(string folder) =>
        Directory.Exists(folder) ? string.Concat(Directory.EnumerateFiles(folder, "*.json").Select(ReadPageBeingWritten)) : string.Empty;

    // The replicator may be writing the page at that moment (it holds it exclusively): such a page counts as not yet
    // copied, and the caller polls again.
    private static string ReadPageBeingWritten(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static void TestEnvironmentCleanup(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder: best effort.
        }
    }
}
