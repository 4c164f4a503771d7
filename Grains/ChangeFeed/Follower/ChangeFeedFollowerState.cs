namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>Durable state of the follower grain: the last applied sequence of each projection.</summary>
[GenerateSerializer, Alias("mirc.ChangeFeedFollowerState")]
public sealed class ChangeFeedFollowerState
{
    /// <summary>Projection name → sequence of the last event it applied (0: none).</summary>
    [Id(0)] public Dictionary<string, long> Checkpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the start-up backfill of studies older than the feed completed (null: not yet).</summary>
    [Id(1)] public DateTimeOffset? BackfilledAt { get; set; }
}
