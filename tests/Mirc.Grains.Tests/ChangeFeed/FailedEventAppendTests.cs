using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// A change-feed append that fails after the manifest commit: a store is acknowledged only with its Create event; a
/// failed store (and any other of the study failing with it) leaves no Create and nothing in the manifest, even after
/// the study reloads, and re-sends cleanly; the stores queued behind it are unaffected. The next batch's manifest write
/// does not wait for a batch's events, and the feed keeps the manifest's order.
/// </summary>
public sealed class FailedEventAppendTests() : DecoratedFeedArchiveTests(new HeldChangeFeed(), "EST-PIPE")
{
    private HeldChangeFeed HeldFeed => (HeldChangeFeed)Feed;

    private int AddCalls() => Archive.Calls.Snapshot().Where(c => c.Key.EndsWith(".AddInstanceAsync", StringComparison.Ordinal)).Sum(c => c.Value);

    /// <summary>
    /// Stores a first instance of a study, then a second whose change-feed append is held (by the returned gate); the
    /// third, of the same study, is the caller's to send.
    /// </summary>
    private async Task<(SyntheticInstance First, SyntheticInstance Second, SyntheticInstance Third, TaskCompletionSource Held, Task<IngestOutcome> SecondStore)> HoldSecondStoreAsync(string patientId)
    {
        var first = new SyntheticInstance { PatientId = patientId, InstanceNumber = 1 };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(first)).Status);
        var held = HeldFeed.HoldNext();
        var second = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 2 };
        var third = first with { SopUid = SyntheticInstance.NewUid(), InstanceNumber = 3 };
        var secondStore = IngestAsync(second);
        await WaitUntilAsync(() => HeldFeed.HeldAppends == 1, "the second store's events are held");
        return (first, second, third, held, secondStore);
    }

    [Fact]
    public async Task A_failed_event_append_fails_its_stores_which_leave_nothing_and_every_acknowledged_store_has_its_event()
    {
        // The second store's events are held; the third reaches the study while they are.
        var (first, second, third, held, secondStore) = await HoldSecondStoreAsync("PIPE-1");
        var addsBefore = AddCalls();
        var thirdStore = IngestAsync(third);
        await WaitUntilAsync(() => AddCalls() > addsBefore, "the third store reaches the study");
        await Task.Delay(200, Ct);
        held.SetException(new IOException("change feed unavailable"));

        Assert.Equal(IngestStatus.ProcessingFailure, (await secondStore).Status);
        var thirdOutcome = await thirdStore;
        Assert.True(thirdOutcome.Status is IngestStatus.Stored or IngestStatus.ProcessingFailure, thirdOutcome.Status + ": " + thirdOutcome.Detail);

        // Whatever the interleaving: acknowledged ⇔ a current Create event ⇔ in the manifest.
        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        await Archive.DeactivateAsync(study);
        foreach (var (instance, status) in new[] { (first, IngestStatus.Stored), (second, IngestStatus.ProcessingFailure), (third, thirdOutcome.Status) })
        {
            var creates = (await Feed.StudyEventsAsync(first.StudyUid, Ct)).Where(e => e.SopInstanceUid == instance.SopUid && e.Action == ChangeFeedAction.Create).ToList();
            var stored = status == IngestStatus.Stored;
            Assert.Equal(stored ? 1 : 0, creates.Count);
            var inManifest = await study.GetInstanceAsync(instance.SopUid) is not null;
            Assert.True(stored == inManifest, $"instance {instance.InstanceNumber}: {status}, in the manifest: {inManifest}");
        }

        // Both failed stores re-send cleanly, each with exactly one Create, in the feed after the first one's.
        foreach (var instance in new[] { second, third })
        {
            Assert.Contains((await IngestAsync(instance)).Status, new[] { IngestStatus.Stored, IngestStatus.AlreadyStored });
        }

        var events = (await Feed.StudyEventsAsync(first.StudyUid, Ct)).Where(e => e.Action == ChangeFeedAction.Create).ToList();
        Assert.Equal(new[] { first.SopUid, second.SopUid, third.SopUid }.Order(StringComparer.Ordinal), events.Select(e => e.SopInstanceUid).Order(StringComparer.Ordinal));
        Assert.Equal(first.SopUid, events[0].SopInstanceUid);
        Assert.Equal(3, (await study.GetInstancesAsync()).Count);
    }

    [Fact]
    public async Task The_next_stores_manifest_write_goes_ahead_while_a_batch_s_events_are_appended_and_the_feed_keeps_the_manifest_s_order()
    {
        var (first, second, third, held, secondStore) = await HoldSecondStoreAsync("PIPE-ORDER");
        var writesBefore = Faults.ManifestWrites;
        var thirdStore = IngestAsync(third);
        await WaitUntilAsync(() => Faults.ManifestWrites > writesBefore, "the third store's manifest write goes ahead of the second's events");
        Assert.False(thirdStore.IsCompleted, "the third store is answered before its events are appended");
        held.SetResult();

        Assert.Equal(IngestStatus.Stored, (await secondStore).Status);
        Assert.Equal(IngestStatus.Stored, (await thirdStore).Status);
        var creates = (await Feed.StudyEventsAsync(first.StudyUid, Ct)).Where(e => e.Action == ChangeFeedAction.Create).OrderBy(e => e.Sequence).ToList();
        Assert.Equal([first.SopUid, second.SopUid, third.SopUid], creates.Select(e => e.SopInstanceUid));
        var study = Archive.Grains.GetGrain<IStudyGrain>(first.StudyUid);
        await Archive.DeactivateAsync(study);
        Assert.Equal(3, (await study.GetInstancesAsync()).Count);
    }

    /// <summary>A real feed whose next append can be held, then released or failed, by the test.</summary>
    private sealed class HeldChangeFeed() : ForwardingChangeFeed(flushedWithDataFolder: false)
    {
        private TaskCompletionSource? _next;
        private int _held;

        public int HeldAppends => Volatile.Read(ref _held);

        public TaskCompletionSource HoldNext()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _next, gate);
            return gate;
        }

        public override async Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _next, null) is { } gate)
            {
                Interlocked.Increment(ref _held);
                await gate.Task;
            }

            await base.AppendAsync(events, cancellationToken);
        }
    }
}
