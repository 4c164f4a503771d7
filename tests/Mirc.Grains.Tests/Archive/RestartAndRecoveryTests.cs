using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Each test owns its cluster: restarts must not disturb other tests.</summary>
public sealed class RestartAndRecoveryTests : IAsyncLifetime
{
    private readonly ArchiveCluster _archive = new();

    public async ValueTask InitializeAsync()
    {
        _archive.Settings["Mirc:Archive:Ingest:ReconcileOlderThan"] = "00:00:00";
        await _archive.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await _archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-Z" } }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_new_cluster_on_the_same_data_folder_sees_everything()
    {
        var study = SyntheticInstance.NewUid();
        var series = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 40).Select(n => new SyntheticInstance { StudyUid = study, SeriesUid = series, InstanceNumber = n, PatientId = "RESTART-1" }).ToArray();
        var outcomes = await Task.WhenAll(instances.Select(IngestAsync));
        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));

        await _archive.RestartAsync();

        var entries = await _archive.Retriever.ResolveAsync(new RetrievalScope(study), TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(1, 40), entries.Select(e => e.InstanceNumber!.Value));
        var patient = await _archive.Grains.GetGrain<IPatientGrain>(outcomes[0].PatientId!).GetAsync();
        Assert.Equal(40, Assert.Single(patient.Studies).InstanceCount);
        Assert.Equal(outcomes[0].PatientId, (await IngestAsync(new SyntheticInstance { PatientId = "RESTART-1" })).PatientId);
        Assert.Equal(IngestStatus.AlreadyStored, (await IngestAsync(instances[7])).Status);
        Assert.Equal(40, (await _archive.Index.GetStudyAsync(study, TestContext.Current.CancellationToken))!.NumberOfInstances);
    }

    [Fact]
    public async Task Reconciliation_completes_a_promoted_blob_left_without_registrations_and_removes_abandoned_uploads()
    {
        // Simulate a crash after "journal + promote" and before the manifest write: the blob is at its final key,
        // the journal names it, nothing else knows it.
        var instance = new SyntheticInstance { PatientId = "CRASH-1" };
        var bytes = instance.ToPart10();
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await _archive.Blobs.WriteAsync(finalKey, new MemoryStream(bytes), cancellationToken: TestContext.Current.CancellationToken);
        var journal = new IngestJournal(_archive.Blobs, _archive.Layout);
        await journal.WriteAsync(new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        // A journal record whose blob never got promoted, and an abandoned staged upload.
        await journal.WriteAsync(new IngestJournalRecord(finalKey.Container, finalKey.Name + ".never", "EST-Z", null, null, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        await _archive.Blobs.WriteAsync(_archive.Layout.NewStagingKey(), new MemoryStream([1, 2, 3]), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));

        var report = await _archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new ReconciliationReport(Completed: 1, Dropped: 1, Failed: 0, StagedDeleted: 1), report);
        var entry = await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);
        Assert.NotNull(entry);
        Assert.Equal(Xxh128.Of(bytes), entry.Digest);
        Assert.NotNull(await _archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
        Assert.Empty(await _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(IngestStatus.AlreadyStored, (await IngestAsync(instance)).Status);
    }

    [Fact]
    public async Task A_dropped_intent_takes_its_study_out_of_the_new_patient_s_record_created_listing_it()
    {
        // A crash after a new patient's record was written listing the instance's new study, before the bytes were durable:
        // the reconciliation drops the intent, and the study leaves the record (nothing of an unacknowledged store stays).
        var ct = TestContext.Current.CancellationToken;
        var instance = new SyntheticInstance { PatientId = "LISTED-1" };
        var localId = new LocalPatientId("EST-Z", instance.Issuer ?? string.Empty, instance.PatientId);
        var regional = RegionalPatientIds.New();
        Assert.Equal(regional, await _archive.Grains.GetGrain<IPatientIdentityIndexGrain>(localId.IndexKey).GetOrLinkAsync(regional));
        var patient = _archive.Grains.GetGrain<IPatientGrain>(regional);
        var reference = new StudyReference { StudyInstanceUid = instance.StudyUid, EstablishmentId = "EST-Z", InstanceCount = 1, Size = 100, LocalId = localId };
        await patient.RegisterIdentityAsync(localId, null, new PatientDemographics(), arrivingStudy: reference);
        Assert.True(await patient.HasStudyAsync(instance.StudyUid));
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(
            new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow, Length: 100, Digest: "xxh128:00", LocalPatientKey: localId.IndexKey), ct);

        var report = await _archive.Reconciler.ReconcileAsync(ct);

        Assert.Equal(new ReconciliationReport(Completed: 0, Dropped: 1, Failed: 0, StagedDeleted: 0), report);
        Assert.False(await patient.HasStudyAsync(instance.StudyUid));
        Assert.True(await patient.ExistsAsync()); // the patient stays (its link and identity are facts of its own)
    }

    [Fact]
    public async Task A_promotion_torn_by_a_crash_is_dropped_not_retried_forever_and_a_resend_stores_the_instance()
    {
        // The rename of a lazily promoted blob reached the disk, its data did not: the final key holds zeros.
        var instance = new SyntheticInstance { PatientId = "TORN-1" };
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await _archive.Blobs.WriteAsync(finalKey, new MemoryStream(new byte[4096]), cancellationToken: TestContext.Current.CancellationToken);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        var report = await _archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new ReconciliationReport(Completed: 0, Dropped: 1, Failed: 0, StagedDeleted: 0), report);
        Assert.Null(await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
        await using var stored = await _archive.Blobs.OpenReadAsync(finalKey, null, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(instance.ToPart10(), copy.ToArray());
    }

    [Fact]
    public async Task Reconciliation_finishes_a_promotion_a_crash_lost_from_the_intent_naming_the_staged_data()
    {
        // Acknowledged once its intent and staged data were durable; the crash lost the promotion's rename.
        var instance = new SyntheticInstance { PatientId = "CRASH-2" };
        var bytes = instance.ToPart10();
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var staged = _archive.Layout.NewStagingKey();
        await _archive.Blobs.WriteAsync(staged, new MemoryStream(bytes), cancellationToken: TestContext.Current.CancellationToken);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(
            new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow, staged.Name, bytes.Length, Xxh128.Of(bytes)), TestContext.Current.CancellationToken);

        var report = await _archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new ReconciliationReport(Completed: 1, Dropped: 0, Failed: 0, StagedDeleted: 0), report);
        Assert.Null(await _archive.Blobs.TryGetPropertiesAsync(staged, TestContext.Current.CancellationToken));
        Assert.Equal(bytes, (await _archive.Blobs.TryReadAllAsync(finalKey, TestContext.Current.CancellationToken))!.Content.ToArray());
        var entry = await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);
        Assert.Equal(Xxh128.Of(bytes), entry!.Digest);
        Assert.NotNull(await _archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
        Assert.Equal(IngestStatus.AlreadyStored, (await IngestAsync(instance)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_intent_whose_data_a_crash_cut_short_is_dropped_even_when_the_header_still_reads(bool promoted)
    {
        // The name (staged or final) reached the disk with the header, not the rest: it parses, but it is not what was received.
        var instance = new SyntheticInstance { PatientId = "TORN-2", Rows = 64, Columns = 64 };
        var bytes = instance.ToPart10();
        var torn = bytes.ToArray();
        Array.Clear(torn, torn.Length - 1024, 1024);
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var staged = _archive.Layout.NewStagingKey();
        await _archive.Blobs.WriteAsync(promoted ? finalKey : staged, new MemoryStream(torn), cancellationToken: TestContext.Current.CancellationToken);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(
            new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow, staged.Name, bytes.Length, Xxh128.Of(bytes)), TestContext.Current.CancellationToken);

        var report = await _archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        // An unpromoted upload is an abandoned one once its intent is dropped: the same pass deletes it.
        Assert.Equal(new ReconciliationReport(Completed: 0, Dropped: 1, Failed: 0, StagedDeleted: promoted ? 0 : 1), report);
        Assert.Null(await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Null(await _archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
        Assert.Equal(bytes, (await _archive.Blobs.TryReadAllAsync(finalKey, TestContext.Current.CancellationToken))!.Content.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_intent_naming_no_staged_upload_is_completed_from_its_final_blob_only_when_that_holds_what_was_received(bool torn)
    {
        // Where a move copies (Azure), the bytes are written at their final name and the intent names only length and digest.
        var instance = new SyntheticInstance { PatientId = "DIRECT-" + torn, Rows = 64, Columns = 64 };
        var bytes = instance.ToPart10();
        var written = bytes.ToArray();
        if (torn)
        {
            Array.Clear(written, written.Length - 1024, 1024);
        }

        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await _archive.Blobs.WriteAsync(finalKey, new MemoryStream(written), cancellationToken: TestContext.Current.CancellationToken);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(
            new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", null, null, DateTimeOffset.UtcNow, null, bytes.Length, Xxh128.Of(bytes)), TestContext.Current.CancellationToken);

        var report = await _archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new ReconciliationReport(Completed: torn ? 0 : 1, Dropped: torn ? 1 : 0, Failed: 0, StagedDeleted: 0), report);
        var entry = await _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid);
        Assert.Equal(torn ? null : Xxh128.Of(bytes), entry?.Digest);
        Assert.Equal(!torn, await _archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken) is not null);
    }

    [Fact]
    public async Task Reconciliation_runs_at_start_up()
    {
        var instance = new SyntheticInstance();
        var finalKey = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await _archive.Blobs.WriteAsync(finalKey, new MemoryStream(instance.ToPart10()), cancellationToken: TestContext.Current.CancellationToken);
        await new IngestJournal(_archive.Blobs, _archive.Layout).WriteAsync(new IngestJournalRecord(finalKey.Container, finalKey.Name, "EST-Z", "AE1", null, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        _archive.Settings["Mirc:Archive:Ingest:ReconcileOnStart"] = "true";

        await _archive.RestartAsync();

        var study = _archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);
        for (var i = 0; i < 100 && await study.GetInstanceAsync(instance.SopUid) is null; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.NotNull(await study.GetInstanceAsync(instance.SopUid));
    }
}
