using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Sharing;

/// <summary>One push of a study to a recipient AE: the request, its progress and which worker runs it.</summary>
public sealed class ShareGrain : Grain, IShareGrain
{
    // Enough to tell the requester which instances to look at, without letting one huge failed study bloat the state.
    private const int MaxFailedUidsKept = 10_000;
    private readonly IPersistentState<ShareState> _state;
    private readonly TimeProvider _time;

    /// <summary>Creates the grain.</summary>
    public ShareGrain([PersistentState("share", StorageProviders.Archive)] IPersistentState<ShareState> state, TimeProvider time)
    {
        _state = state;
        _time = time;
    }

    /// <inheritdoc />
    public async Task<ShareSnapshot> CreateAsync(ShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_state.State.Share is { } existing) return existing;
        var share = new ShareSnapshot { ShareId = this.GetPrimaryKeyString(), Request = request, Status = ShareStatus.Queued };
        // Pending first: a share that exists is always found again by a restarted worker.
        await GrainFactory.GetGrain<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).AddAsync(share.ShareId);
        await GrainFactory.GetGrain<IStudySharesGrain>(request.StudyInstanceUid).AddAsync(share.ShareId);
        _state.State.Share = share;
        await _state.WriteStateAsync();
        return share;
    }

    /// <inheritdoc />
    public Task<ShareSnapshot?> GetAsync() => Task.FromResult(_state.State.Share);

    /// <inheritdoc />
    public async Task<ShareSnapshot?> TryClaimAsync(string workerId, TimeSpan lease)
    {
        var share = _state.State.Share;
        if (share is null || share.IsFinished) return null;
        var now = _time.GetUtcNow();
        var heldByOther = share.Status == ShareStatus.Running && _state.State.WorkerId != workerId && _state.State.LeaseUntil > now;
        if (heldByOther) return null;
        _state.State.Share = share with { Status = ShareStatus.Running, StartedAt = share.StartedAt ?? now };
        _state.State.WorkerId = workerId;
        _state.State.LeaseUntil = now + lease;
        await _state.WriteStateAsync();
        return _state.State.Share;
    }

    /// <inheritdoc />
    public async Task<bool> ReportProgressAsync(string workerId, ShareProgress progress, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_state.State.Share is not { Status: ShareStatus.Running } share || _state.State.WorkerId != workerId) return false;
        _state.State.Share = Apply(share, progress);
        _state.State.LeaseUntil = _time.GetUtcNow() + lease;
        await _state.WriteStateAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task<ShareSnapshot?> FinishAsync(string workerId, ShareProgress progress, string? error)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_state.State.Share is not { Status: ShareStatus.Running } share || _state.State.WorkerId != workerId) return _state.State.Share;
        var done = Apply(share, progress);
        _state.State.Share = done with
        {
            Status = error is null && done.Failed == 0 ? ShareStatus.Completed : ShareStatus.Failed,
            FinishedAt = _time.GetUtcNow(),
            Error = error,
        };
        _state.State.WorkerId = null;
        await _state.WriteStateAsync();
        await GrainFactory.GetGrain<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).RemoveAsync(share.ShareId);
        return _state.State.Share;
    }

    private static ShareSnapshot Apply(ShareSnapshot share, ShareProgress progress)
    {
        var failed = progress.FailedSopInstanceUids.Count == 0
            ? share.FailedSopInstanceUids
            : share.FailedSopInstanceUids.Concat(progress.FailedSopInstanceUids).Take(MaxFailedUidsKept).ToArray();
        return share with
        {
            Total = progress.Total,
            Completed = share.Completed + progress.Completed,
            Failed = share.Failed + progress.FailedSopInstanceUids.Count,
            FailedSopInstanceUids = failed,
        };
    }
}
