using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Archive;
using Mirc.Grains.Tests.Storage;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// A feed flushed with the data folder (<see cref="IChangeFeed.FlushedWithDataFolder"/>): a batch's Create events are
/// committed before its manifest write, whose flush round makes both durable, and the store is answered before that write
/// (its durable intent stays in the journal until the write ends). A stored instance has exactly one Create; a manifest
/// write failing after the answer takes its Create back with a Delete and the ingest registers the instance again;
/// Creates that a crash left without their manifest write are taken back by the study grain, which the reconciliation
/// of the dropped intent asks.
/// </summary>
public sealed class EventsBeforeManifestTests() : DecoratedFeedArchiveTests(new FailingTakeBackFeed(), "EST-EBM")
{
    private FailingTakeBackFeed TakeBackFeed => (FailingTakeBackFeed)Feed;

    private async Task<List<ChangeFeedAction>> ActionsOfAsync(SyntheticInstance instance) =>
        (await Feed.StudyEventsAsync(instance.StudyUid, Ct)).Where(e => e.SopInstanceUid == instance.SopUid).OrderBy(e => e.Sequence).Select(e => e.Action).ToList();

    [Fact]
    public async Task Stores_are_answered_before_their_manifest_write_and_the_journal_keeps_each_intent_until_a_write_holds_it()
    {
        var first = new SyntheticInstance { PatientId = "EBM-0", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(first));

        await WaitUntilAsync(async () => await CountIntentsAsync(first) == 0, "the first instance's manifest is written");

        // The second's manifest write is held: its store is acknowledged all the same, its intent still in the journal;
        // the third, sent meanwhile, is answered too (its events committed while that write is in flight).
        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        var third = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 3 };
        var held = Faults.HoldManifestWrites();
        var before = Faults.ManifestWrites;
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(second)).Status);
        // The write behind the answer begins on the study grain's next turn, which a loaded machine may run after ours.
        await WaitUntilAsync(() => Faults.ManifestWrites > before, "the second instance's manifest write is under way (held)");
        var writes = Faults.ManifestWrites;
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(third)).Status);
        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        Assert.Equal(3, (await study.GetInstancesAsync()).Count);
        Assert.Equal(1, await CountIntentsAsync(second));
        Assert.Equal(1, await CountIntentsAsync(third));
        Assert.Equal(writes, Faults.ManifestWrites);

        held.SetResult();
        await study.WhenManifestWrittenAsync(third.SopUid, (await study.GetInstanceAsync(third.SopUid))!.Digest);
        await WaitUntilAsync(async () => await CountIntentsAsync(second) + await CountIntentsAsync(third) == 0, "the written instances' intents are completed");
        // One write for the second, the next one for the third (answered while the first was in flight).
        Assert.Equal(writes + 1, Faults.ManifestWrites);
        await Archive.DeactivateAsync(study);
        Assert.Equal([first.SopUid, second.SopUid, third.SopUid], (await study.GetInstancesAsync()).Select(e => e.SopInstanceUid));
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(second));
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(third));
    }

    [Fact]
    public async Task A_store_is_promoted_and_acknowledged_only_after_one_flush_round_makes_its_intent_and_staged_data_durable()
    {
        // Answered before its manifest write, and with its promotion's rename lazily durable, a store counts on one round:
        // the one that makes its intent (naming the staged upload, its length and digest) and the staged data durable.
        var instance = new SyntheticInstance { PatientId = "EBM-4", InstanceNumber = 1 };
        var bytes = instance.ToPart10();
        var finalKey = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var held = Faults.HoldFlushes();
        var store = IngestAsync(instance);
        await WaitUntilAsync(async () => await CountIntentsAsync(instance) == 1, "the intent is written");
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        Assert.False(store.IsCompleted, "the store was acknowledged while the round of its intent and staged data was held");
        Assert.Null(await Archive.Blobs.TryGetPropertiesAsync(finalKey, Ct));
        var intent = Assert.Single(await IntentsAsync(instance));
        Assert.Equal(bytes.Length, intent.Length);
        Assert.Equal(Xxh128.Of(bytes), intent.Digest);
        Assert.NotNull(await Archive.Blobs.TryGetPropertiesAsync(new BlobKey(Archive.Layout.StagingContainer, intent.StagedName!), Ct));

        held.SetResult();
        Assert.Equal(IngestStatus.Stored, (await store).Status);
        Assert.NotNull(await Archive.Blobs.TryGetPropertiesAsync(finalKey, Ct));
    }

    [Fact]
    public async Task A_store_refused_by_the_study_after_its_intent_leaves_neither_intent_nor_staged_upload()
    {
        var stored = new SyntheticInstance { PatientId = "EBM-5", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(stored)).Status);

        // Another data set under the same UIDs (duplicate policy Reject): refused after its intent was written.
        Assert.Equal(IngestStatus.DuplicateConflict, (await IngestAsync(stored with { PixelSeed = 7 })).Status);

        await WaitUntilAsync(async () => await CountIntentsAsync(stored) == 0, "both intents are completed");
        var uploads = await Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, cancellationToken: Ct)
            .Where(b => InstanceBlobLayout.IsStagedUpload(b.Key.Name)).ToListAsync(Ct);
        Assert.Empty(uploads);
    }

    [Fact]
    public async Task A_failed_manifest_write_after_the_answer_takes_the_create_back_and_the_ingest_registers_the_instance_again()
    {
        var first = new SyntheticInstance { PatientId = "EBM-1", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);
        // Its own manifest write (behind the answer) is over before the fault is armed.
        await WaitUntilAsync(async () => await CountIntentsAsync(first) == 0, "the first instance's manifest is written");

        // The write fails after the answer: the store stays acknowledged (its intent is durable) and is written again.
        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        Faults.Arm(IngestStep.ManifestCommit, passFirst: 0);
        var stored = await IngestAsync(second);
        await Faults.Thrown(IngestStep.ManifestCommit);
        Faults.Arm(IngestStep.None, passFirst: 0);
        Assert.Equal(IngestStatus.Stored, stored.Status);

        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        await WaitUntilAsync(async () => await CountIntentsAsync(second) == 0, "the instance is registered again and its intent completed");
        await Archive.DeactivateAsync(study);
        Assert.Equal([first.SopUid, second.SopUid], (await study.GetInstancesAsync()).Select(e => e.SopInstanceUid));
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Delete, ChangeFeedAction.Create], await ActionsOfAsync(second));
        Assert.Equal(0, await study.TakeBackUnheldCreatesAsync());
    }

    [Fact]
    public async Task When_the_failed_writes_own_take_back_fails_too_the_instance_is_registered_again_all_the_same()
    {
        var first = new SyntheticInstance { PatientId = "EBM-3", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);
        // Its own manifest write (behind the answer) is over before the fault is armed.
        await WaitUntilAsync(async () => await CountIntentsAsync(first) == 0, "the first instance's manifest is written");

        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        TakeBackFeed.FailNextDurableAppends = 1;
        Faults.Arm(IngestStep.ManifestCommit, passFirst: 0);
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(second)).Status);
        await Faults.Thrown(IngestStep.ManifestCommit);
        Faults.Arm(IngestStep.None, passFirst: 0);

        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        await WaitUntilAsync(async () => await CountIntentsAsync(second) == 0, "the instance is registered again and its intent completed");
        Assert.Equal(0, TakeBackFeed.FailNextDurableAppends);
        await Archive.DeactivateAsync(study);
        Assert.Equal(2, (await study.GetInstancesAsync()).Count);
        // The Create that could not be taken back stands for the instance the manifest now holds: readers see it stored.
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Create], await ActionsOfAsync(second));
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(first));
    }

    /// <summary>The intents for <paramref name="instance"/>'s final key in the journal slots (the running silo's included).</summary>
    private async Task<List<IngestJournalRecord>> IntentsAsync(SyntheticInstance instance)
    {
        var key = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var intents = new List<IngestJournalRecord>();
        await foreach (var slot in Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, "journal/", Ct))
        {
            if (await Archive.Blobs.TryReadAllAsync(slot.Key, Ct) is { } content)
            {
                intents.AddRange(System.Text.Json.JsonSerializer.Deserialize(content.Content.Span, IngestJournalJson.Default.IngestJournalRecordArray)!
                    .Where(r => r.FinalName == key.Name));
            }
        }

        return intents;
    }

    /// <summary>The journal slots (the running silo's included) holding an intent for <paramref name="instance"/>'s final key.</summary>
    private async Task<int> CountIntentsAsync(SyntheticInstance instance)
    {
        var key = Archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        var count = 0;
        await foreach (var slot in Archive.Blobs.ListAsync(Archive.Layout.StagingContainer, "journal/", Ct))
        {
            if (await Archive.Blobs.TryReadAllAsync(slot.Key, Ct) is { } content
                && System.Text.Encoding.UTF8.GetString(content.Content.Span).Contains(key.Name, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    [Fact]
    public async Task Creates_a_crash_left_without_their_manifest_write_are_taken_back_once_when_the_intent_is_dropped()
    {
        var held = new SyntheticInstance { PatientId = "EBM-2", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(held)).Status);

        // What a crash leaves: the intent of a store whose blob never became durable, and its batch's Create committed.
        var lost = held with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        var key = Archive.Layout.GetInstanceKey(lost.StudyUid, lost.SeriesUid, lost.SopUid);
        await new IngestJournal(Archive.Blobs, Archive.Layout).WriteAsync(new IngestJournalRecord(key.Container, key.Name, "EST-EBM", null, null, DateTimeOffset.UtcNow), Ct);
        await Feed.AppendBeforeFlushAsync([new ChangeFeedEvent
        {
            StudyInstanceUid = lost.StudyUid,
            SeriesInstanceUid = lost.SeriesUid,
            SopInstanceUid = lost.SopUid,
            Action = ChangeFeedAction.Create,
            EstablishmentId = "EST-EBM",
        }], Ct);

        var services = Archive.Services;
        var reconciler = new IngestReconciler(
            Archive.Blobs, Archive.Layout, services.GetRequiredService<IngestJournal>(), services.GetRequiredService<FailedIngestUndo>(),
            services.GetRequiredService<PatientResolver>(), services.GetRequiredService<InstanceRegistrar>(), Archive.Grains,
            Options.Create(new IngestOptions { ReconcileOlderThan = TimeSpan.Zero }), NullLogger<IngestReconciler>.Instance);
        var report = await reconciler.ReconcileAsync(Ct);

        Assert.Equal(1, report.Dropped);
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Delete], await ActionsOfAsync(lost));
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(held));
        Assert.Equal(0, await Archive.Grains.GetGrain<IStudyGrain>(held.StudyUid).TakeBackUnheldCreatesAsync());
    }

    /// <summary>A feed flushed with the data folder whose next durable appends (the take-backs) fail.</summary>
    private sealed class FailingTakeBackFeed() : ForwardingChangeFeed(flushedWithDataFolder: true)
    {
        private int _failNext;

        public int FailNextDurableAppends
        {
            get => Volatile.Read(ref _failNext);
            set => Volatile.Write(ref _failNext, value);
        }

        public override Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default)
        {
            for (var left = FailNextDurableAppends; left > 0; left = FailNextDurableAppends)
            {
                if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left)
                {
                    return Task.FromException(new IOException("change feed unavailable"));
                }
            }

            return base.AppendAsync(events, cancellationToken);
        }
    }
}
