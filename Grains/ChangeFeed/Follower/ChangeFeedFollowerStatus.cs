namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>Where the follower stands: the feed's head and each projection's checkpoint.</summary>
[GenerateSerializer, Alias("mirc.ChangeFeedFollowerStatus")]
public sealed record ChangeFeedFollowerStatus
{
    /// <summary>Sequence of the feed's newest event (0: empty feed).</summary>
    [Id(0)] public long Head { get; init; }

    /// <summary>Projection name → last applied sequence.</summary>
    [Id(1)] public IReadOnlyDictionary<string, long> Checkpoints { get; init; } = new Dictionary<string, long>();

    /// <summary>When the backfill of studies older than the feed completed, if it did.</summary>
    [Id(2)] public DateTimeOffset? BackfilledAt { get; init; }

    /// <summary>Events of the feed the slowest projection has not applied yet.</summary>
    public long Lag => Checkpoints.Count == 0 ? Head : Math.Max(0, Head - Checkpoints.Values.Min());
}
