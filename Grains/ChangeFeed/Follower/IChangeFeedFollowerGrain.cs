using Mirc.Grains.Interfaces.Operations;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The cluster's one change-feed follower (key <see cref="Key"/>): from a durable checkpoint per projection it applies
/// the feed's events to the query index, the patients' study lists and the retention schedule, in bounded batches, on a timer kept alive by a
/// reminder (so it runs on exactly one silo and comes back after a restart).
/// </summary>
[Alias("mirc.IChangeFeedFollowerGrain")]
public interface IChangeFeedFollowerGrain : IGrainWithStringKey
{
    /// <summary>The only key.</summary>
    const string Key = "changefeed";

    /// <summary>Registers the reminder (or removes it when the follower is disabled). Called at each silo start; idempotent.</summary>
    [Alias("Schedule")]
    Task ScheduleAsync();

    /// <summary>
    /// Applies settled events after each checkpoint, at most <paramref name="maxBatches"/> batches per projection, and
    /// returns where the follower then stands.
    /// </summary>
    [Alias("CatchUp")]
    Task<ChangeFeedFollowerStatus> CatchUpAsync(int maxBatches);

    /// <summary>Head and checkpoints, without applying anything.</summary>
    [Alias("GetStatus")]
    Task<ChangeFeedFollowerStatus> GetStatusAsync();

    /// <summary>
    /// Appends Create events for the stored studies the feed does not know (stored before it existed); the follower
    /// then projects them. Records the backfill as done.
    /// </summary>
    [Alias("Backfill")]
    Task<ChangeFeedBackfillReport> BackfillAsync();

    /// <summary>Sets every checkpoint back to 0: the next catch-ups re-apply the whole feed (after the index was dropped).</summary>
    [Alias("Rewind")]
    Task RewindAsync();
}
