using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>
/// One push of a study to a recipient AE (key: share id). Owns the share's state and, until it is finished, a reminder
/// that starts (or resumes, or retries with backoff) the push wherever the grain lives; the bytes are sent outside grain
/// calls by a push worker, which claims the share with a renewable lease so that only one worker in the cluster runs it.
/// </summary>
[Alias("mirc.IShareGrain")]
public interface IShareGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records the request (queued), registers the share with its study and the pending list, registers its reminder and
    /// starts the push. Idempotent.
    /// </summary>
    [Alias("Create")]
    Task<ShareSnapshot> CreateAsync(ShareRequest request);

    /// <summary>The share, or null when it does not exist.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ShareSnapshot?> GetAsync();

    /// <summary>
    /// Gives the share to <paramref name="workerId"/> for <paramref name="lease"/> when it is queued, or running with an
    /// expired lease (or already this worker's). Null when it is finished, unknown or held by another worker.
    /// </summary>
    [Alias("TryClaim")]
    Task<ShareSnapshot?> TryClaimAsync(string workerId, TimeSpan lease);

    /// <summary>Adds progress and renews the lease; false when <paramref name="workerId"/> no longer holds the share.</summary>
    [Alias("ReportProgress")]
    Task<bool> ReportProgressAsync(string workerId, ShareProgress progress, TimeSpan lease);

    /// <summary>
    /// The recipient could not be reached: adds progress, releases the lease and schedules the next attempt with backoff
    /// (status retrying). Null when the retry horizon has passed (or <paramref name="workerId"/> no longer holds the
    /// share): the worker then finishes it as failed.
    /// </summary>
    [Alias("Defer")]
    Task<DateTimeOffset?> DeferAsync(string workerId, ShareProgress progress, string error);

    /// <summary>
    /// Re-registers the reminder of an unfinished share, due when its next attempt (or the end of a dead worker's lease)
    /// is; called at silo start for every pending share. Idempotent.
    /// </summary>
    [Alias("Resume")]
    Task ResumeAsync();

    /// <summary>Finishes the share (completed when nothing failed and <paramref name="error"/> is null), removes it from the pending list and drops its reminder.</summary>
    [Alias("Finish")]
    Task<ShareSnapshot?> FinishAsync(string workerId, ShareProgress progress, string? error);
}
