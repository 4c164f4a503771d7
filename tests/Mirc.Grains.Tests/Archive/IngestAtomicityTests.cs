using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Mirc.Grains.Retention;
using Mirc.Grains.Retrieval;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>A cluster whose blob store, query index and grain calls fail on demand (<see cref="IngestFaults"/>).</summary>
public sealed class FaultyArchive : IAsyncLifetime
{
    public IngestFaults Faults { get; } = new();

    public ArchiveCluster Archive { get; }

    public FaultyArchive()
    {
        Archive = new ArchiveCluster { CallFilter = Faults };
        Archive.DecorateBlobStore = Faults.Decorate;
        Archive.DecorateIndex = Faults.Decorate;
    }

    public ValueTask InitializeAsync() => Archive.InitializeAsync();

    public ValueTask DisposeAsync() => Archive.DisposeAsync();
}

/// <summary>
/// A store is atomic: a failure injected at each step of the pipeline leaves nothing of the instance on any read path
/// (retrieval, manifest/metadata, blob, index for QIDO-RS and C-FIND, patient record), the rest of the study untouched,
/// and a re-send succeeds.
/// </summary>
public sealed class IngestAtomicityTests(FaultyArchive fixture) : IClassFixture<FaultyArchive>
{
    private const string Establishment = "750000001";
    private static readonly IngestRequest Request = new() { Caller = new IngestCaller { EstablishmentId = Establishment } };
    private ArchiveCluster Archive => fixture.Archive;

    // Not the manifest write: this cluster's feed is flushed with its data folder, so a store is answered before its
    // manifest write and a failure of that write is repaired, not reported (EventsBeforeManifestTests).
    // The last column: the store's moves copy (Azure), so the bytes are written at their final name, not staged.
    public static TheoryData<IngestStep, bool, bool> Steps => new()
    {
        { IngestStep.BlobWrite, false, false },
        { IngestStep.IndexWrite, false, false },
        { IngestStep.PatientRecord, false, false },
        { IngestStep.BlobWrite, true, false },
        { IngestStep.IndexWrite, true, false },
        { IngestStep.BlobWrite, false, true },
        { IngestStep.IndexWrite, false, true },
        { IngestStep.PatientRecord, false, true },
        { IngestStep.IndexWrite, true, true },
    };

    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await Archive.Ingestor.IngestAsync(stream, Request, TestContext.Current.CancellationToken);
    }

    /// <summary>Stores <paramref name="instance"/> with <paramref name="step"/> failing.</summary>
    private async Task<IngestOutcome> IngestArmedAsync(SyntheticInstance instance, IngestStep step)
    {
        fixture.Faults.Armed = step;
        try
        {
            return await IngestAsync(instance);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }
    }

    [Fact]
    public async Task A_header_longer_than_the_first_capture_is_still_written_once_at_its_final_name()
    {
        // 200 KB of private CSA header before the pixel data, as a Siemens MR carries: the header ends past the 64 KB capture.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-LONG-HEADER", Modality = "MR", PrivateHeaderBytes = 200_000 };
        fixture.Faults.WritesAtFinalName = true;
        try
        {
            var moves = fixture.Faults.Moves;
            Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
            Assert.Equal(0, fixture.Faults.Moves - moves);
        }
        finally
        {
            fixture.Faults.WritesAtFinalName = false;
        }

        await AssertVisibleAsync(instance, (await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetSummaryAsync()).PatientId!, 1);
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_failure_at_any_step_leaves_nothing_visible_and_a_resend_succeeds(IngestStep step, bool intoExistingStudy, bool atFinalName)
    {
        fixture.Faults.WritesAtFinalName = atFinalName;
        try
        {
            await FailThenResendAsync(step, intoExistingStudy, "ATOMIC-" + step + (intoExistingStudy ? "-2" : "-1") + (atFinalName ? "-final" : string.Empty));
        }
        finally
        {
            fixture.Faults.WritesAtFinalName = false;
        }
    }

    private async Task FailThenResendAsync(IngestStep step, bool intoExistingStudy, string patientId)
    {
        SyntheticInstance? earlier = null;
        if (intoExistingStudy)
        {
            earlier = new SyntheticInstance { PatientId = patientId };
            Assert.Equal(IngestStatus.Stored, (await IngestAsync(earlier)).Status);
        }

        // A new series with a new modality: the patient's study reference changes, so every step runs.
        var instance = new SyntheticInstance { PatientId = patientId, StudyUid = earlier?.StudyUid ?? SyntheticInstance.NewUid(), Modality = "MR" };

        var failed = await IngestArmedAsync(instance, step);

        Assert.False(failed.IsSuccess);
        Assert.Equal((ushort)0x0110, failed.DimseStatus);
        await AssertNotVisibleAsync(instance, earlier);
        Assert.Empty(await Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, FailedIngestUndo.Prefix, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

        var moves = fixture.Faults.Moves;
        var resent = await IngestAsync(instance);

        Assert.Equal(IngestStatus.Stored, resent.Status);
        Assert.Equal(fixture.Faults.WritesAtFinalName ? 0 : 1, fixture.Faults.Moves - moves); // written at its final name, or promoted
        await AssertVisibleAsync(instance, resent.PatientId!, intoExistingStudy ? 2 : 1);

        // However far the failed commit went, the stored study enters its retention bucket once the change-feed
        // follower has applied its Create: it cannot escape its retention period.
        await Archive.ProjectFeedAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var buckets = await Task.WhenAll(new[] { today, today.AddDays(-1) }.Select(day => Archive.Grains
            .GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(Establishment, day, RetentionKeys.Shard(instance.StudyUid))).GetStudiesAsync()));
        Assert.Contains(buckets, studies => studies.Contains(instance.StudyUid));
    }

    [Fact]
    public async Task A_new_patients_record_is_written_before_the_answer_so_the_patient_is_known_once_the_store_is()
    {
        // Right after a store is acknowledged, the management API looks its patient up (a consent, a care relationship):
        // the record must exist by then, whoever asks first.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-RECORD-FIRST" };
        var held = fixture.Faults.HoldPatientRecords();
        Task<IngestOutcome> store;
        try
        {
            store = IngestAsync(instance);
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            Assert.False(store.IsCompleted, "the store was acknowledged while its new patient's record was still to be written");
        }
        finally
        {
            held.SetResult();
        }

        var outcome = await store;
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.True(await Archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!).ExistsAsync());
    }

    [Fact]
    public async Task A_new_patients_record_is_written_once_with_its_first_study_listed()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-ONE-WRITE", Modality = "CR" };
        var outcome = await IngestAsync(instance);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        // The reference the store sends after its commit, then the follower's projection of the Create: both find it listed.
        await Archive.ProjectFeedAsync();

        var patient = Archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!);
        var reference = Assert.Single((await patient.GetAsync()).Studies);
        Assert.Equal((instance.StudyUid, Establishment, 1, outcome.Instance!.Size), (reference.StudyInstanceUid, reference.EstablishmentId, reference.InstanceCount, reference.Size));
        Assert.Equal(["CR"], reference.Modalities);
        Assert.Equal(instance.PatientId, reference.LocalId?.PatientId);
        Assert.Single(fixture.Faults.StateWrites, name => GrainStateBlobNaming.GrainKeyOf(name, "patient") == outcome.PatientId);
    }

    [Fact]
    public async Task A_patient_record_shows_only_the_studies_whose_own_summary_names_the_patient()
    {
        // The study's summary is the system of record: a reference left by a store that never completed (a crash before
        // the acknowledgement, until the reconciliation takes it back), or to another patient's study, is not shown.
        var mine = new SyntheticInstance { PatientId = "ATOMIC-SHOWN", Modality = "CR" };
        var theirs = new SyntheticInstance { PatientId = "ATOMIC-NOT-SHOWN", Modality = "CR" };
        var outcome = await IngestAsync(mine);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(theirs)).Status);
        var patient = Archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!);

        await patient.UpsertStudyAsync(new StudyReference { StudyInstanceUid = SyntheticInstance.NewUid(), EstablishmentId = Establishment, InstanceCount = 1 });
        await patient.UpsertStudyAsync(new StudyReference { StudyInstanceUid = theirs.StudyUid, EstablishmentId = Establishment, InstanceCount = 1 });

        var shown = Assert.Single((await patient.GetAsync()).Studies);
        Assert.Equal((mine.StudyUid, 1), (shown.StudyInstanceUid, shown.InstanceCount));
    }

    [Fact]
    public async Task A_new_patient_s_record_lists_its_study_only_once_the_intent_naming_the_patient_is_written()
    {
        // A crash must never leave the record listing the study without the intent whose reconciliation takes it back.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-INTENT-FIRST" };
        var index = Archive.Grains.GetGrain<IPatientIdentityIndexGrain>(new LocalPatientId(Establishment, instance.Issuer ?? "", instance.PatientId).IndexKey);
        var held = fixture.Faults.HoldJournalWrites();
        Task<IngestOutcome> store;
        IPatientGrain patient;
        try
        {
            store = IngestAsync(instance);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            string? regional;
            while ((regional = await index.GetAsync()) is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the new patient was never linked");
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            patient = Archive.Grains.GetGrain<IPatientGrain>(regional);
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            Assert.False(await patient.HasStudyAsync(instance.StudyUid), "the record listed the study before the intent was written");
        }
        finally
        {
            held.SetResult();
        }

        Assert.Equal(IngestStatus.Stored, (await store).Status);
        Assert.True(await patient.HasStudyAsync(instance.StudyUid));
    }

    [Theory]
    [InlineData(IngestStep.JournalWrite)]
    [InlineData(IngestStep.Flush)]
    public async Task A_new_patient_s_first_study_is_not_in_the_record_when_the_store_fails_before_its_promotion(IngestStep step)
    {
        // Without a written intent the record does not list the study; when the intent's flush fails, the record created
        // listing it gets it taken out again. A re-send lists it once.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-UNLISTED-" + step };
        var failed = await IngestArmedAsync(instance, step);

        Assert.False(failed.IsSuccess);
        var regional = await Archive.Grains.GetGrain<IPatientIdentityIndexGrain>(new LocalPatientId(Establishment, instance.Issuer ?? "", instance.PatientId).IndexKey).GetAsync();
        Assert.NotNull(regional);
        Assert.Empty((await Archive.Grains.GetGrain<IPatientGrain>(regional).GetAsync()).Studies);

        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
        Assert.Single((await Archive.Grains.GetGrain<IPatientGrain>(regional).GetAsync()).Studies, s => s.StudyInstanceUid == instance.StudyUid);
    }

    [Fact]
    public async Task A_new_patients_link_and_record_are_made_durable_by_the_intents_flush_before_the_promotion()
    {
        // The embedded default: one flush round makes the journal intent, the staged data and a new patient's link and
        // record durable together. The round must begin after the record is written, so nothing is promoted before it.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-ONE-ROUND" };
        var finalKey = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var held = fixture.Faults.HoldPatientRecords();
        Task<IngestOutcome> store;
        try
        {
            store = IngestAsync(instance);
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            Assert.Null(await Archive.Blobs.TryGetPropertiesAsync(finalKey, TestContext.Current.CancellationToken));
            Assert.False(store.IsCompleted);
        }
        finally
        {
            held.SetResult();
        }

        var outcome = await store;
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        Assert.NotNull(await Archive.Blobs.TryGetPropertiesAsync(finalKey, TestContext.Current.CancellationToken));
        // Both first records were left to that flush: written without rounds of their own.
        var lazily = fixture.Faults.CreatedLazily.ToArray();
        Assert.Contains(lazily, name => GrainStateBlobNaming.GrainKeyOf(name, "identity") is { } key && key.Contains("ATOMIC-ONE-ROUND", StringComparison.Ordinal));
        Assert.Contains(lazily, name => GrainStateBlobNaming.GrainKeyOf(name, "patient") == outcome.PatientId);
    }

    [Fact]
    public async Task A_store_does_not_wait_for_retention_and_a_failed_registration_is_retried_by_the_follower()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-RETENTION" };
        var follower = Archive.Grains.GetGrain<Mirc.Grains.ChangeFeed.Follower.IChangeFeedFollowerGrain>(Mirc.Grains.ChangeFeed.Follower.IChangeFeedFollowerGrain.Key);
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var bucket = Archive.Grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(Establishment, day, RetentionKeys.Shard(instance.StudyUid)));
        Mirc.Grains.ChangeFeed.Follower.ChangeFeedFollowerStatus failing;
        fixture.Faults.Armed = IngestStep.Retention;
        try
        {
            // The retention buckets refuse every registration: the store is acknowledged all the same.
            Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
            failing = await follower.CatchUpAsync(50);
            // Checked while still refused: once the fault is off, the follower's own background catch-up may register it.
            Assert.DoesNotContain(instance.StudyUid, await bucket.GetStudiesAsync());
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        // The retention projection kept its checkpoint before the study's Create; the next catch-up registers it.
        Assert.True(failing.Checkpoints.GetValueOrDefault("retention-schedule") < failing.Head);
        await Archive.ProjectFeedAsync();
        var first = (await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetSummaryAsync()).FirstReceivedAt!.Value;
        bucket = Archive.Grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(Establishment, DateOnly.FromDateTime(first.UtcDateTime), RetentionKeys.Shard(instance.StudyUid)));
        Assert.Contains(instance.StudyUid, await bucket.GetStudiesAsync());
    }

    [Fact]
    public async Task A_retention_bucket_whose_write_failed_does_not_count_the_study_as_added_and_the_retry_stores_it()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-BUCKET-WRITE" };
        var follower = Archive.Grains.GetGrain<Mirc.Grains.ChangeFeed.Follower.IChangeFeedFollowerGrain>(Mirc.Grains.ChangeFeed.Follower.IChangeFeedFollowerGrain.Key);
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
        var first = (await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetSummaryAsync()).FirstReceivedAt!.Value;
        var bucket = Archive.Grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(Establishment, DateOnly.FromDateTime(first.UtcDateTime), RetentionKeys.Shard(instance.StudyUid)));
        fixture.Faults.Armed = IngestStep.RetentionBucketWrite;
        try
        {
            await follower.CatchUpAsync(50);
            await fixture.Faults.Thrown(IngestStep.RetentionBucketWrite);
            // The bucket grain took the call and its write failed: it must not answer as if the study were in it.
            Assert.DoesNotContain(instance.StudyUid, await bucket.GetStudiesAsync());
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        await Archive.ProjectFeedAsync();
        // Stored, not only remembered: a fresh activation reads it back.
        await Archive.DeactivateAsync(bucket);
        Assert.Contains(instance.StudyUid, await bucket.GetStudiesAsync());
    }

    [Fact]
    public async Task A_page_sealed_by_an_add_whose_bucket_write_failed_is_written_again_by_the_retry_and_every_study_kept()
    {
        var bucket = Archive.Grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket("EST-PAGE-FAULT", new DateOnly(2001, 3, 4), 2));
        var open = Enumerable.Range(0, RetentionBucketPages.PageSize - 1).Select(i => $"1.2.826.0.1.3680043.10.545.{i}").ToArray();
        await bucket.AddAsync(open);
        string[] sealing = ["1.2.826.0.1.3680043.10.545.a", "1.2.826.0.1.3680043.10.545.b"];
        fixture.Faults.Armed = IngestStep.RetentionBucketWrite;
        try
        {
            // The full page is written as page 0; the bucket's record that would count it is refused.
            await Assert.ThrowsAnyAsync<Exception>(() => bucket.AddAsync(sealing));
            await fixture.Faults.Thrown(IngestStep.RetentionBucketWrite);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        // Not counted as added: the retry seals again over the uncounted page 0, then writes the bucket's record.
        await bucket.AddAsync(sealing);
        await Archive.DeactivateAsync(bucket);
        Assert.Equal(open.Concat(sealing).Order(StringComparer.Ordinal), (await bucket.GetStudiesAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_study_move_whose_write_failed_is_not_taken_for_done_and_its_retry_moves_the_study_durably()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-MOVE" };
        var stored = await IngestAsync(instance);
        Assert.True(stored.Status == IngestStatus.Stored, stored.Detail);
        var study = Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);
        fixture.Faults.Armed = IngestStep.StudySummaryWrite;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => study.ReassignPatientAsync("REGIONAL-ATOMIC-MOVED"));
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        // The study still belongs to its patient, in memory as in storage, so the retry does the move.
        Assert.Equal(stored.PatientId, (await study.GetSummaryAsync()).PatientId);
        Assert.Equal(stored.PatientId, await study.ReassignPatientAsync("REGIONAL-ATOMIC-MOVED"));
        await Archive.DeactivateAsync(study);
        Assert.Equal("REGIONAL-ATOMIC-MOVED", (await study.GetSummaryAsync()).PatientId);
    }

    [Fact]
    public async Task A_new_patient_whose_link_write_failed_is_linked_durably_by_the_resend_and_stays_one_patient()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-IDENTITY-WRITE" };
        fixture.Faults.Armed = IngestStep.IdentityLinkWrite;
        try
        {
            Assert.Equal(IngestStatus.ProcessingFailure, (await IngestAsync(instance)).Status);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        var resent = await IngestAsync(instance);
        Assert.True(resent.Status == IngestStatus.Stored, resent.Detail);

        // A fresh activation of the link, and other demographics so the silo's resolution cache does not answer: the
        // same local patient id must still be the same regional patient.
        await Archive.DeactivateAsync(Archive.Grains.GetGrain<IPatientIdentityIndexGrain>(new LocalPatientId(Establishment, instance.Issuer!, instance.PatientId).IndexKey));
        var later = await IngestAsync(new SyntheticInstance { PatientId = instance.PatientId, PatientName = "DOE^JANE^MARIE" });
        Assert.True(later.Status == IngestStatus.Stored, later.Detail);
        Assert.Equal(resent.PatientId, later.PatientId);
    }

    [Fact]
    public async Task A_store_does_not_wait_for_the_patient_s_study_list_and_a_failed_reference_is_restored_by_the_follower()
    {
        // A known patient's new study: its reference is sent after the commit (a new patient's record lists it at once).
        // Made known outside any store, so no earlier store's reference is still on its way to the patient grain.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-LINK" };
        await Archive.Services.GetRequiredService<PatientResolver>().ResolveAsync(new LocalPatientId(Establishment, instance.Issuer ?? "", instance.PatientId), null, new PatientDemographics());
        IngestOutcome stored;
        fixture.Faults.Armed = IngestStep.PatientLink;
        try
        {
            // The patient grain refuses the study reference: the store is acknowledged all the same.
            stored = await IngestAsync(instance);
            await fixture.Faults.Thrown(IngestStep.PatientLink).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
        }

        Assert.Equal(IngestStatus.Stored, stored.Status);
        var patient = Archive.Grains.GetGrain<IPatientGrain>(stored.PatientId!);
        Assert.False(await patient.HasStudyAsync(instance.StudyUid));
        Assert.NotNull(await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));

        // The study list is a projection of the feed: the follower adds the study from its Create event.
        await Archive.ProjectFeedAsync();
        Assert.True(await patient.HasStudyAsync(instance.StudyUid));
        var reference = Assert.Single((await patient.GetAsync()).Studies, s => s.StudyInstanceUid == instance.StudyUid);
        Assert.Equal((Establishment, instance.PatientId, 1), (reference.EstablishmentId, reference.LocalId?.PatientId, reference.InstanceCount));
    }

    [Fact]
    public async Task A_final_name_taken_by_another_writer_during_the_write_keeps_that_writer_s_blob_and_asks_for_a_retry()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-RACE" };
        var finalKey = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        byte[] theirs = [1, 2, 3, 4];
        (fixture.Faults.WritesAtFinalName, fixture.Faults.ConcurrentBytes) = (true, theirs);
        IngestOutcome raced;
        try
        {
            raced = await IngestAsync(instance);
        }
        finally
        {
            (fixture.Faults.WritesAtFinalName, fixture.Faults.ConcurrentBytes) = (false, null);
        }

        Assert.Equal((ushort)0x0110, raced.DimseStatus);
        Assert.Contains("still being stored by another request", raced.Detail, StringComparison.Ordinal);
        Assert.Equal(theirs, (await Archive.Blobs.TryReadAllAsync(finalKey, TestContext.Current.CancellationToken))!.Content.ToArray());
        Assert.Null(await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid));
        Assert.Null(await Archive.Index.GetStudyAsync(instance.StudyUid, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_store_cancelled_before_its_answer_leaves_nothing_visible()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-CANCEL" };
        fixture.Faults.CancelIndexWrites = true;
        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IngestAsync(instance));
        }
        finally
        {
            fixture.Faults.CancelIndexWrites = false;
        }

        await AssertNotVisibleAsync(instance, earlier: null);
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance)).Status);
    }

    [Fact]
    public async Task A_late_undo_leaves_the_bytes_another_store_has_written_at_the_name_since()
    {
        // The undo fails (its index deletion) and is recorded; meanwhile a retry of the same instance holds the final
        // name with its own bytes, not committed yet. The recorded undo, run by the reconciliation, finds the manifest
        // without the UID — and must not remove what the retry's commit is about to reference.
        var instance = new SyntheticInstance { PatientId = "ATOMIC-LATE-UNDO" };
        var ct = TestContext.Current.CancellationToken;
        fixture.Faults.Armed = IngestStep.IndexWrite;
        fixture.Faults.FailIndexDeletes = true;
        try
        {
            Assert.Equal(IngestStatus.ProcessingFailure, (await IngestAsync(instance)).Status);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
            fixture.Faults.FailIndexDeletes = false;
        }

        var final = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var retried = instance.ToPart10();
        await Archive.Blobs.WriteAsync(final, new MemoryStream(retried), cancellationToken: ct);

        var report = await Archive.Reconciler.ReconcileAsync(ct);

        Assert.Equal(1, report.Undone);
        var kept = await Archive.Blobs.TryReadAllAsync(final, ct);
        Assert.NotNull(kept);
        Assert.Equal(retried, kept.Content.ToArray());
    }

    [Fact]
    public async Task When_the_undo_fails_too_the_reconciliation_finishes_it()
    {
        var instance = new SyntheticInstance { PatientId = "ATOMIC-UNDO" };
        fixture.Faults.Armed = IngestStep.IndexWrite;
        fixture.Faults.FailIndexDeletes = true;
        IngestOutcome failed;
        try
        {
            failed = await IngestAsync(instance);
        }
        finally
        {
            fixture.Faults.Armed = IngestStep.None;
            fixture.Faults.FailIndexDeletes = false;
        }

        Assert.Equal(IngestStatus.ProcessingFailure, failed.Status);
        Assert.Single(await Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, FailedIngestUndo.Prefix, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

        var report = await Archive.Reconciler.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Undone);
        await AssertNotVisibleAsync(instance, earlier: null);
        Assert.Empty(await Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, FailedIngestUndo.Prefix, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));
        var resent = await IngestAsync(instance);
        Assert.Equal(IngestStatus.Stored, resent.Status);
        await AssertVisibleAsync(instance, resent.PatientId!, 1);
    }

    private async Task AssertNotVisibleAsync(SyntheticInstance instance, SyntheticInstance? earlier)
    {
        var ct = TestContext.Current.CancellationToken;
        var study = Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);
        Assert.Null(await study.GetInstanceAsync(instance.SopUid));
        Assert.Empty(await Archive.Retriever.ResolveAsync(new RetrievalScope(instance.StudyUid, instance.SeriesUid), ct));
        Assert.Null(await Archive.Blobs.TryGetPropertiesAsync(Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid), ct));
        Assert.Empty(await Archive.Index.QueryAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All) { Matches = new Dictionary<uint, string> { [IndexTags.SopInstanceUid] = instance.SopUid } }, ct));
        Assert.Empty(await Archive.Index.QueryAsync(new IndexQuery(QueryLevel.Series, IndexAuthorization.All) { Matches = new Dictionary<uint, string> { [IndexTags.SeriesInstanceUid] = instance.SeriesUid } }, ct));

        var summary = await study.GetSummaryAsync();
        var indexed = await Archive.Index.GetStudyAsync(instance.StudyUid, ct);
        var regional = await Archive.Grains.GetGrain<IPatientIdentityIndexGrain>(new LocalPatientId(Establishment, instance.Issuer ?? "", instance.PatientId).IndexKey).GetAsync();
        var references = regional is null ? [] : (await Archive.Grains.GetGrain<IPatientGrain>(regional).GetAsync()).Studies.Where(s => s.StudyInstanceUid == instance.StudyUid).ToArray();
        if (earlier is null)
        {
            Assert.Equal(0, summary.InstanceCount);
            Assert.Null(summary.PatientId);
            Assert.Null(indexed);
            Assert.Empty(references);
        }
        else
        {
            // The study's earlier instance is untouched everywhere.
            Assert.Equal(1, summary.InstanceCount);
            Assert.Equal(["CT"], summary.Modalities);
            Assert.NotNull(await study.GetInstanceAsync(earlier.SopUid));
            Assert.Equal(1, indexed!.NumberOfInstances);
            Assert.Equal(1, Assert.Single(references).InstanceCount);
        }
    }

    private async Task AssertVisibleAsync(SyntheticInstance instance, string patientId, int instancesInStudy)
    {
        var ct = TestContext.Current.CancellationToken;
        var entries = await Archive.Retriever.ResolveAsync(new RetrievalScope(instance.StudyUid, instance.SeriesUid, instance.SopUid), ct);
        await using (var retrieved = await Archive.Retriever.OpenInstanceAsync(Assert.Single(entries), ct))
        using (var copy = new MemoryStream())
        {
            await retrieved.CopyToAsync(copy, ct);
            Assert.Equal(instance.ToPart10(), copy.ToArray());
        }

        Assert.Single(await Archive.Index.QueryAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All) { Matches = new Dictionary<uint, string> { [IndexTags.SopInstanceUid] = instance.SopUid } }, ct));
        Assert.Equal(instancesInStudy, (await Archive.Index.GetStudyAsync(instance.StudyUid, ct))!.NumberOfInstances);
        var reference = Assert.Single((await Archive.Grains.GetGrain<IPatientGrain>(patientId).GetAsync()).Studies, s => s.StudyInstanceUid == instance.StudyUid);
        Assert.Equal(instancesInStudy, reference.InstanceCount);
    }
}
