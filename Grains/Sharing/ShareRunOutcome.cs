namespace Mirc.Grains.Sharing;

/// <summary>What <see cref="SharePusher.RunAsync"/> did with a share.</summary>
public enum ShareRunOutcome
{
    /// <summary>The share is finished (now or before).</summary>
    Finished = 0,

    /// <summary>Another worker holds the share's lease: try again once it may have expired.</summary>
    HeldElsewhere = 1,

    /// <summary>The run stopped before the end (shutdown, lease lost): the share stays pending.</summary>
    Interrupted = 2,
}
