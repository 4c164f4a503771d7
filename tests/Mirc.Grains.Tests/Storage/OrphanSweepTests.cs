using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Orphans;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// The orphan sweep on the filesystem store with a real silo: an unreferenced blob past the grace period goes, while a
/// referenced blob, a fresh orphan, a blob an ingest journal still names and the journal itself stay.
/// </summary>
public sealed class OrphanSweepTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddDays(-2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Old_unreferenced_blobs_are_deleted_and_everything_referenced_fresh_or_journaled_is_kept()
    {
        var stored = new SyntheticInstance();
        using (var stream = new MemoryStream(stored.ToPart10()))
        {
            var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "orphans" } }, Ct);
            Assert.Equal(IngestStatus.Stored, outcome.Status);
        }

        var entry = Assert.Single(await archive.Grains.GetGrain<IStudyGrain>(stored.StudyUid).GetInstancesAsync());
        var referenced = new BlobKey(entry.BlobContainer, entry.BlobName);
        Age(referenced);
        // Orphans: one beside the stored instance (same study, no manifest entry), one of a study that never committed.
        var orphanInStudy = await WriteAsync(archive.Layout.GetInstanceKey(stored.StudyUid, stored.SeriesUid, SyntheticInstance.NewUid()), old: true);
        var orphanAlone = await WriteAsync(InstanceKey(), old: true);
        var fresh = await WriteAsync(InstanceKey(), old: false);
        var journaled = await WriteAsync(InstanceKey(), old: true);
        // An intent also names its staged upload: the reconciliation may still have to promote it.
        var journaledUpload = await WriteAsync(new BlobKey(archive.Layout.StagingContainer, $"{Guid.NewGuid():N}.tmp"), old: true);
        var slot = new BlobKey(archive.Layout.StagingContainer, "journal/test-slot-0");
        var intent = new IngestJournalRecord(journaled.Container, journaled.Name, "orphans", null, null, DateTimeOffset.UtcNow.AddDays(-2), journaledUpload.Name);
        await archive.Blobs.WriteIfMatchAsync(slot, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new[] { intent }, IngestJournalJson.Default.IngestJournalRecordArray), null, Ct);
        Age(slot);
        var staged = await WriteAsync(new BlobKey(archive.Layout.StagingContainer, $"{Guid.NewGuid():N}.tmp"), old: true);

        var report = await archive.Services.GetRequiredService<OrphanSweep>().RunAsync(Ct);

        Assert.Null(await archive.Blobs.TryGetPropertiesAsync(orphanInStudy, Ct));
        Assert.Null(await archive.Blobs.TryGetPropertiesAsync(orphanAlone, Ct));
        Assert.Null(await archive.Blobs.TryGetPropertiesAsync(staged, Ct));
        Assert.NotNull(await archive.Blobs.TryGetPropertiesAsync(referenced, Ct));
        Assert.NotNull(await archive.Blobs.TryGetPropertiesAsync(fresh, Ct));
        Assert.NotNull(await archive.Blobs.TryGetPropertiesAsync(journaled, Ct));
        Assert.NotNull(await archive.Blobs.TryGetPropertiesAsync(journaledUpload, Ct));
        Assert.NotNull(await archive.Blobs.TryGetPropertiesAsync(slot, Ct));
        Assert.Equal(new OrphanSweepReport(Examined: 4, Deleted: 2, Journaled: 2, StagingDeleted: 1), report);
        var audited = Assert.Single(archive.Audit.Durable, e => e.Action == AuditAction.OrphanSweep);
        Assert.Equal(OrphanSweep.Actor, audited.ActorId);
        Assert.Contains(orphanAlone.Name, audited.Detail, StringComparison.Ordinal);
        await using (var read = await archive.Retriever.OpenInstanceAsync(entry, Ct)) Assert.True(read.CanRead);

        // The job is the sweep grain's reminder, registered at silo start.
        var reminders = (Mirc.Grains.Reminders.ArchiveReminderTable)archive.Services.GetRequiredService<IReminderTable>();
        Assert.NotNull(await reminders.ReadRow(archive.Grains.GetGrain<IOrphanSweepGrain>(IOrphanSweepGrain.Key).GetGrainId(), OrphanSweepGrain.ReminderName));
    }

    private BlobKey InstanceKey() => archive.Layout.GetInstanceKey(SyntheticInstance.NewUid(), SyntheticInstance.NewUid(), SyntheticInstance.NewUid());

    private async Task<BlobKey> WriteAsync(BlobKey key, bool old)
    {
        using var content = new MemoryStream(Encoding.ASCII.GetBytes("not referenced by any manifest"));
        await archive.Blobs.WriteAsync(key, content, cancellationToken: Ct);
        if (old) Age(key);
        return key;
    }

    /// <summary>Backdates a blob past the default 24 h grace period (the filesystem store's time is the file's).</summary>
    private void Age(BlobKey key) =>
        File.SetLastWriteTimeUtc(Path.Combine(((FileSystemBlobStore)archive.Blobs).RootPath, key.Container, key.Name.Replace('/', Path.DirectorySeparatorChar)), LongAgo);
}
