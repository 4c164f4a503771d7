using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>
/// DuplicatePolicy Replace: a different data set under a stored SOP Instance UID replaces it atomically (manifest,
/// blob, index, audit as an update); a failure at any step of the replacement leaves the old object intact and served.
/// </summary>
public sealed class ReplaceDuplicateTests : IAsyncLifetime
{
    private readonly IngestFaults _faults = new();
    private readonly ArchiveCluster _archive;

    public ReplaceDuplicateTests()
    {
        _archive = new ArchiveCluster { CallFilter = _faults, DecorateBlobStore = _faults.Decorate, DecorateIndex = _faults.Decorate };
        _archive.Settings["Mirc:Archive:Ingest:DuplicatePolicy"] = "Replace";
        _archive.Settings["Mirc:Archive:Ingest:ReconcileOlderThan"] = "00:00:00";
    }

    public ValueTask InitializeAsync() => _archive.InitializeAsync();

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IStudyGrain Study(SyntheticInstance instance) => _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);

    [Fact]
    public async Task A_replaced_instance_is_exported_for_research_from_its_new_blob()
    {
        var original = new SyntheticInstance { PixelSeed = 1, InstanceNumber = 1, PatientId = "REPLACED-RESEARCH" };
        Assert.Equal(IngestStatus.Stored, (await DuplicateDatasetTests.IngestAsync(_archive, original.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000003" } })).Status);
        var corrected = original with { PixelSeed = 2 };
        Assert.Equal(IngestStatus.Replaced, (await DuplicateDatasetTests.IngestAsync(_archive, corrected.ToDataset(), DuplicateDatasetTests.Cstore(corrected, "MODALITY_B"))).Status);

        var key = await _archive.Services.GetRequiredService<Mirc.Grains.Research.ResearchVault>().GetOrCreateKeyAsync("replaced-project", Ct);
        var item = new Mirc.Grains.Research.ExportItem(original.StudyUid, original.SeriesUid, original.SopUid, "patient-ref");
        var outcomes = await _archive.Services.GetRequiredService<Mirc.Grains.Research.ResearchInstanceExporter>().ExportBatchAsync(
            [item], key, new Mirc.Dicom.Deidentification.Deidentifier(key, new Mirc.Dicom.Deidentification.DeidentifierOptions()),
            new(StringComparer.Ordinal), "replaced-project", "replaced-export", concurrency: 1, cancellationToken: Ct);

        var outcome = Assert.Single(outcomes);
        Assert.Null(outcome.Error);
    }

    [Fact]
    public async Task A_different_data_set_replaces_the_stored_one_and_is_audited_as_an_update()
    {
        var original = new SyntheticInstance { PixelSeed = 1, InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await DuplicateDatasetTests.IngestAsync(_archive, original.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000003" } })).Status);
        var old = (await Study(original).GetInstanceAsync(original.SopUid))!;

        var corrected = original with { PixelSeed = 2, InstanceNumber = 7 };
        var outcome = await DuplicateDatasetTests.IngestAsync(_archive, corrected.ToDataset(), DuplicateDatasetTests.Cstore(corrected, "MODALITY_B"));

        Assert.Equal(IngestStatus.Replaced, outcome.Status);
        Assert.True(outcome.IsSuccess);
        Assert.Equal((ushort)0x0000, outcome.DimseStatus);
        Assert.Equal((ushort)0x0000, outcome.StowReason);
        var now = (await Study(original).GetInstanceAsync(original.SopUid))!;
        Assert.Equal(outcome.Instance, now);
        Assert.NotEqual(old.Digest, now.Digest);
        Assert.EndsWith($".{now.Digest["xxh128:".Length..][..16]}.dcm", now.BlobName, StringComparison.Ordinal);

        // The manifest names the new bytes; the old blob is collected.
        var content = await _archive.Blobs.TryReadAllAsync(new BlobKey(now.BlobContainer, now.BlobName), Ct);
        Assert.Equal(now.Digest, Xxh128.Of(content!.Content.Span));
        Assert.Null(await _archive.Blobs.TryGetPropertiesAsync(new BlobKey(old.BlobContainer, old.BlobName), Ct));

        // Index row and study summary follow: one instance, the corrected Instance Number.
        var row = Assert.Single(await _archive.Index.QueryAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.SopInstanceUid] = original.SopUid },
        }, Ct));
        Assert.Equal("7", row[IndexTags.InstanceNumber]);
        Assert.Equal(1, (await _archive.Index.GetStudyAsync(original.StudyUid, Ct))!.NumberOfInstances);
        Assert.Equal(1, (await Study(original).GetSummaryAsync()).InstanceCount);

        await _archive.Audit.FlushAsync(Ct);
        var update = Assert.Single(_archive.Audit.Durable, e => e.Action == AuditAction.Update && e.StudyUids.Contains(original.StudyUid));
        Assert.Equal(outcome.PatientId, update.PatientId);
        Assert.Contains(original.SopUid, update.Detail, StringComparison.Ordinal);
        Assert.Equal("ae:MODALITY_B", update.ActorId);

        // The same corrected data set again is an idempotent success.
        Assert.Equal(IngestStatus.AlreadyStored, (await DuplicateDatasetTests.IngestAsync(_archive, corrected.ToDataset(), DuplicateDatasetTests.Cstore(corrected, "MODALITY_C"))).Status);
    }

    [Theory]
    [InlineData(IngestStep.BlobWrite)]
    [InlineData(IngestStep.ManifestCommit)]
    [InlineData(IngestStep.IndexWrite)]
    public async Task A_failure_mid_replace_leaves_the_old_instance_intact_and_served(IngestStep step)
    {
        var original = new SyntheticInstance { PixelSeed = 1, InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await DuplicateDatasetTests.IngestAsync(_archive, original.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000003" } })).Status);
        var old = (await Study(original).GetInstanceAsync(original.SopUid))!;
        var corrected = original with { PixelSeed = 2, InstanceNumber = 7 };

        _faults.Armed = step;
        IngestOutcome failed;
        try
        {
            failed = await DuplicateDatasetTests.IngestAsync(_archive, corrected.ToDataset(), DuplicateDatasetTests.Cstore(corrected, "MODALITY_B"));
        }
        finally
        {
            _faults.Armed = IngestStep.None;
        }

        Assert.False(failed.IsSuccess);
        Assert.Equal(old, await Study(original).GetInstanceAsync(original.SopUid));
        var content = await _archive.Blobs.TryReadAllAsync(new BlobKey(old.BlobContainer, old.BlobName), Ct);
        Assert.Equal(old.Digest, Xxh128.Of(content!.Content.Span));
        var served = Assert.Single(await _archive.Retriever.ResolveAsync(new RetrievalScope(original.StudyUid, null, original.SopUid), Ct));
        await using (var stream = await _archive.Retriever.OpenInstanceAsync(served, Ct))
        {
            Assert.Equal(old.Digest, await Xxh128.OfAsync(stream, Ct));
        }
        var row = Assert.Single(await _archive.Index.QueryAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.SopInstanceUid] = original.SopUid },
        }, Ct));
        Assert.Equal("1", row[IndexTags.InstanceNumber]);

        // Nothing of the replacement is left: only the old blob of the study in its folder (a replacement is written
        // beside what it replaces), no undo record, no update audited.
        var folder = old.BlobName[..(old.BlobName.IndexOf('/', StringComparison.Ordinal) + 1)];
        var blobs = await _archive.Blobs.ListAsync(old.BlobContainer, folder, Ct).Where(b => InstanceBlobLayout.StudyUidOf(b.Key.Name) == original.StudyUid).ToListAsync(Ct);
        Assert.Equal([old.BlobName], blobs.Select(b => b.Key.Name));
        Assert.Empty(await _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, FailedIngestUndo.Prefix, Ct).ToListAsync(Ct));
        await _archive.Audit.FlushAsync(Ct);
        Assert.DoesNotContain(_archive.Audit.Durable, e => e.Action == AuditAction.Update && e.StudyUids.Contains(original.StudyUid));

        Assert.Equal(IngestStatus.Replaced, (await DuplicateDatasetTests.IngestAsync(_archive, corrected.ToDataset(), DuplicateDatasetTests.Cstore(corrected, "MODALITY_B"))).Status);
    }

    [Fact]
    public async Task A_replacement_cut_by_a_crash_before_its_swap_is_removed_by_the_reconciliation_and_the_old_one_stays()
    {
        var original = new SyntheticInstance { PixelSeed = 1, PatientId = "REPLACE-CRASH" };
        Assert.Equal(IngestStatus.Stored, (await DuplicateDatasetTests.IngestAsync(_archive, original.ToPart10(), new IngestRequest { Caller = new IngestCaller { EstablishmentId = "750000003" } })).Status);
        var old = (await Study(original).GetInstanceAsync(original.SopUid))!;

        // The crash: journal intent written and the new bytes promoted to their own key, the manifest never swapped.
        var bytes = (original with { PixelSeed = 2 }).ToPart10();
        var key = _archive.Layout.GetReplacementKey(original.StudyUid, original.SeriesUid, original.SopUid, Xxh128.Of(bytes));
        await _archive.Blobs.WriteAsync(key, new MemoryStream(bytes), cancellationToken: Ct);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(new IngestJournalRecord(key.Container, key.Name, "750000003", "MODALITY_B", null, DateTimeOffset.UtcNow), Ct);

        var report = await _archive.Reconciler.ReconcileAsync(Ct);

        Assert.Equal(0, report.Completed);
        Assert.Equal(0, report.Failed);
        Assert.Null(await _archive.Blobs.TryGetPropertiesAsync(key, Ct));
        Assert.Equal(old, await Study(original).GetInstanceAsync(original.SopUid));
        Assert.NotNull(await _archive.Blobs.TryGetPropertiesAsync(new BlobKey(old.BlobContainer, old.BlobName), Ct));
    }
}
