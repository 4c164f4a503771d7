namespace Mirc.Grains.Sharing;

/// <summary>What <see cref="SharePusher.RunAsync"/> did with a share.</summary>
public enum ShareRunOutcome
{
    /// <summary>The share is finished (now or before).</summary>
    Finished = 0,

    /// <summary>Another worker holds the share's lease (its reminder tries again once the lease may have run out).</summary>
    HeldElsewhere = 1,

    /// <summary>The run stopped before the end (shutdown, lease lost): the share stays pending.</summary>
    Interrupted = 2,

    /// <summary>The recipient could not be reached: the share waits for its next attempt.</summary>
    Retrying = 3,
}
