namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>The state of one share as reported to callers.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ShareSnapshot")]
public sealed record ShareSnapshot
{
    /// <summary>Share id (grain key).</summary>
    [Id(0)] public required string ShareId { get; init; }

    /// <summary>The accepted request.</summary>
    [Id(1)] public required ShareRequest Request { get; init; }

    /// <summary>Current status.</summary>
    [Id(2)] public ShareStatus Status { get; init; }

    /// <summary>Instances to send (known once a worker resolved the study; 0 before).</summary>
    [Id(3)] public int Total { get; init; }

    /// <summary>Instances the recipient accepted.</summary>
    [Id(4)] public int Completed { get; init; }

    /// <summary>Instances refused or not sent.</summary>
    [Id(5)] public int Failed { get; init; }

    /// <summary>SOP Instance UIDs of the failed instances.</summary>
    [Id(6)] public IReadOnlyList<string> FailedSopInstanceUids { get; init; } = [];

    /// <summary>When a worker first started sending (UTC).</summary>
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the share finished (UTC).</summary>
    [Id(8)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the share failed as a whole (recipient unreachable, association rejected…), or why the last attempt did while it is retrying; null otherwise.</summary>
    [Id(9)] public string? Error { get; init; }

    /// <summary>Attempts that could not reach the recipient (0 while every attempt got through).</summary>
    [Id(10)] public int Attempts { get; init; }

    /// <summary>When the next attempt is due while <see cref="Status"/> is <see cref="ShareStatus.Retrying"/> (UTC).</summary>
    [Id(11)] public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Instances already handled (accepted or failed): where a resumed worker continues.</summary>
    public int Processed => Completed + Failed;

    /// <summary>True once completed or failed.</summary>
    public bool IsFinished => Status is ShareStatus.Completed or ShareStatus.Failed;
}
