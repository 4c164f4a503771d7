using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Orphans;
using Mirc.Grains.Storage.Replication;
using Mirc.Grains.Tests.Archive;
using Xunit;
using static Mirc.Grains.Tests.Replication.TwoSiteArchive;

namespace Mirc.Grains.Tests.Replication;

/// <summary>Two folders, synchronous: the orphan sweep's deletion goes through the replicated store, so both copies go; referenced ones stay on both.</summary>
public sealed class TwoSiteOrphanSweepTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new();
    private readonly string _secondSite = Path.Combine(Path.GetTempPath(), "mirc-second-site", Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Replication:SecondSitePath"] = _secondSite;
        _archive.Settings["Mirc:Replication:Mode"] = nameof(ReplicationMode.Synchronous);
        _archive.Settings["Mirc:Replication:ScrubEnabled"] = "false";
        await _archive.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _archive.DisposeAsync();
        try { Directory.Delete(_secondSite, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task An_old_orphan_is_deleted_on_both_sites_and_a_referenced_instance_stays_on_both()
    {
        var sites = Sites(_archive);
        var stored = new SyntheticInstance();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(_archive, stored)).Status);
        var entry = Assert.Single(await _archive.Grains.GetGrain<Mirc.Grains.Interfaces.Studies.IStudyGrain>(stored.StudyUid).GetInstancesAsync());
        var referenced = new BlobKey(entry.BlobContainer, entry.BlobName);
        var orphan = _archive.Layout.GetInstanceKey(SyntheticInstance.NewUid(), SyntheticInstance.NewUid(), SyntheticInstance.NewUid());
        using (var content = new MemoryStream(Encoding.ASCII.GetBytes("orphan")))
            await sites.WriteAsync(orphan, content, cancellationToken: Ct);
        var second = new FileSystemBlobStore(_secondSite);
        Assert.NotNull(await second.TryGetPropertiesAsync(orphan, Ct));
        // The sweep lists the first site: backdate both blobs there past the 24 h grace period.
        var first = Assert.IsType<FileSystemBlobStore>(sites.First);
        foreach (var key in new[] { orphan, referenced })
            File.SetLastWriteTimeUtc(Path.Combine(first.RootPath, key.Container, key.Name.Replace('/', Path.DirectorySeparatorChar)), DateTime.UtcNow.AddDays(-2));

        var report = await _archive.Services.GetRequiredService<OrphanSweep>().RunAsync(Ct);

        Assert.Equal(1, report.Deleted);
        Assert.Null(await first.TryGetPropertiesAsync(orphan, Ct));
        Assert.Null(await second.TryGetPropertiesAsync(orphan, Ct));
        Assert.NotNull(await first.TryGetPropertiesAsync(referenced, Ct));
        Assert.Equal(entry.Digest, await HashOnAsync(second, referenced));
    }
}
