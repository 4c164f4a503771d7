namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// A read model kept from the change feed (query index, patients' study lists). Applying is idempotent and converges on
/// the systems of record (the study manifests), so replaying an event already applied, or one the ingest applied
/// inline, changes nothing.
/// </summary>
public interface IChangeFeedProjection
{
    /// <summary>Name of the projection's checkpoint in the follower's state (stable: renaming it replays the feed).</summary>
    string Name { get; }

    /// <summary>
    /// Applies <paramref name="events"/> (ascending sequences); durable on return. <paramref name="summaries"/> reads
    /// the studies' summaries once for every projection of the batch.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<ChangeFeedEvent> events, StudySummaryReads summaries, CancellationToken cancellationToken);
}
