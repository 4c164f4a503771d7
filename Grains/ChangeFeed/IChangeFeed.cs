namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// The ordered, durable record of what manifest commits did (the outbox the query index, the warehouse and replication
/// follow). Implementations: <see cref="SqliteChangeFeed"/> (embedded, <c>&lt;DataPath&gt;/changefeed.db</c>) and
/// <see cref="PostgresChangeFeed"/> (cluster, the query index's database). Thread-safe; concurrent appends are
/// group-committed and a completed append is durable.
/// </summary>
public interface IChangeFeed
{
    /// <summary>Appends <paramref name="events"/> (their sequence and timestamp are assigned) in one durable transaction.</summary>
    Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when the feed lives on the archive data folder's file system and that file system is made durable by shared
    /// flush rounds (<c>syncfs</c>): a commit of the feed is then durable once a round that starts after it completes,
    /// such as the one any durable blob-store write waits for.
    /// </summary>
    bool FlushedWithDataFolder => false;

    /// <summary>
    /// Appends <paramref name="events"/> and returns once readers see them, without waiting for the device: they are
    /// durable once the caller's next durable blob-store write returns (its flush round starts after this commit). Where
    /// <see cref="FlushedWithDataFolder"/> is false this is <see cref="AppendAsync"/>. A caller whose write then fails
    /// must append the compensating events (<see cref="AppendAsync"/>).
    /// </summary>
    Task AppendBeforeFlushAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) =>
        AppendAsync(events, cancellationToken);

    /// <summary>
    /// Events with a sequence greater than <paramref name="offset"/>, ascending, at most <paramref name="limit"/>;
    /// only those of <paramref name="establishmentId"/> unless it is null (every establishment).
    /// </summary>
    Task<IReadOnlyList<ChangeFeedEvent>> ReadAsync(long offset, int limit, string? establishmentId, CancellationToken cancellationToken = default);

    /// <summary>The last event (of <paramref name="establishmentId"/> unless null), or null when there is none.</summary>
    Task<ChangeFeedEvent?> LatestAsync(string? establishmentId, CancellationToken cancellationToken = default);

    /// <summary>Studies whose first event comes after <paramref name="afterFirstSequence"/>, in that order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ChangeFeedStudy>> StudiesAsync(long afterFirstSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every event of one study, ascending.</summary>
    Task<IReadOnlyList<ChangeFeedEvent>> StudyEventsAsync(string studyInstanceUid, CancellationToken cancellationToken = default);
}
