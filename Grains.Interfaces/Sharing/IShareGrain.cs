using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>
/// One push of a study to a recipient AE (key: share id). Owns the share's state; the bytes are sent by a push worker
/// outside grain calls, which claims the share with a renewable lease so that only one worker in the cluster runs it.
/// </summary>
[Alias("mirc.IShareGrain")]
public interface IShareGrain : IGrainWithStringKey
{
    /// <summary>Records the request (queued) and registers the share with its study and the pending list. Idempotent.</summary>
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

    /// <summary>Finishes the share (completed when nothing failed and <paramref name="error"/> is null) and removes it from the pending list.</summary>
    [Alias("Finish")]
    Task<ShareSnapshot?> FinishAsync(string workerId, ShareProgress progress, string? error);
}
