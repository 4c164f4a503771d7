namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>Where a share (push of a study to a recipient AE) stands.</summary>
public enum ShareStatus
{
    /// <summary>Accepted, waiting for a push worker.</summary>
    Queued = 0,

    /// <summary>A worker is sending the instances.</summary>
    Running = 1,

    /// <summary>Every instance was accepted by the recipient.</summary>
    Completed = 2,

    /// <summary>Finished with at least one instance refused, or the recipient could not be reached within the retry horizon.</summary>
    Failed = 3,

    /// <summary>The recipient could not be reached; the share's reminder tries again at <see cref="ShareSnapshot.NextAttemptAt"/>.</summary>
    Retrying = 4,
}
