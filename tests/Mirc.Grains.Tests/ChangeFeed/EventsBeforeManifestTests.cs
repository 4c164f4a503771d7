using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// A feed flushed with the data folder (<see cref="IChangeFeed.FlushedWithDataFolder"/>): a batch's Create events are
/// committed before its manifest write, whose flush round makes both durable. A stored instance has exactly one Create;
/// a failed manifest write fails its store and takes its Create back with a Delete; Creates that a crash left without
/// their manifest write are taken back by the study grain, which the reconciliation of the dropped intent asks.
/// </summary>
public sealed class EventsBeforeManifestTests() : DecoratedFeedArchiveTests(new FailingTakeBackFeed(), "EST-EBM")
{
    private FailingTakeBackFeed TakeBackFeed => (FailingTakeBackFeed)Feed;

    private async Task<List<ChangeFeedAction>> ActionsOfAsync(SyntheticInstance instance) =>
        (await Feed.StudyEventsAsync(instance.StudyUid, Ct)).Where(e => e.SopInstanceUid == instance.SopUid).OrderBy(e => e.Sequence).Select(e => e.Action).ToList();

    [Fact]
    public async Task A_stored_instance_has_one_create_and_a_failed_manifest_write_fails_its_store_and_takes_its_create_back()
    {
        var first = new SyntheticInstance { PatientId = "EBM-1", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(first));

        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        Faults.Arm(IngestStep.ManifestCommit, passFirst: 0);
        var failed = await IngestAsync(second);
        Faults.Arm(IngestStep.None, passFirst: 0);

        Assert.Equal(IngestStatus.ProcessingFailure, failed.Status);
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Delete], await ActionsOfAsync(second));
        Assert.All((await Feed.StudyEventsAsync(first.StudyUid, Ct)).Where(e => e.SopInstanceUid == second.SopUid), e => Assert.Equal(ChangeFeedState.Deleted, e.State));
        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        await Archive.DeactivateAsync(study);
        Assert.Equal([first.SopUid], (await study.GetInstancesAsync()).Select(e => e.SopInstanceUid));
        Assert.Equal(0, await study.TakeBackUnheldCreatesAsync());

        // The re-send stores it, with a Create of its own.
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(second)).Status);
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Delete, ChangeFeedAction.Create], await ActionsOfAsync(second));
        Assert.Equal(2, (await study.GetInstancesAsync()).Count);
    }

    [Fact]
    public async Task When_the_commits_own_take_back_fails_the_undo_of_the_failed_store_takes_the_create_back()
    {
        var first = new SyntheticInstance { PatientId = "EBM-3", InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);

        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        TakeBackFeed.FailNextDurableAppends = 1;
        Faults.Arm(IngestStep.ManifestCommit, passFirst: 0);
        var failed = await IngestAsync(second);
        Faults.Arm(IngestStep.None, passFirst: 0);

        Assert.Equal(IngestStatus.ProcessingFailure, failed.Status);
        Assert.Equal(0, TakeBackFeed.FailNextDurableAppends);
        Assert.Equal([ChangeFeedAction.Create, ChangeFeedAction.Delete], await ActionsOfAsync(second));
        Assert.Equal([ChangeFeedAction.Create], await ActionsOfAsync(first));
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
