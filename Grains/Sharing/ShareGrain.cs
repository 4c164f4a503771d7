using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Sharing;

/// <summary>
/// One push of a study to a recipient AE: the request, its progress, which worker runs it, and — until it is finished —
/// the reminder that (re)starts it. The reminder is the share's durable schedule: it survives a silo restart and fires on
/// whichever silo holds the grain, so an unreachable recipient is retried once in the cluster, not by a loop per silo.
/// </summary>
public sealed partial class ShareGrain : Grain, IShareGrain, IRemindable
{
    /// <summary>Name of the push reminder.</summary>
    public const string ReminderName = "share-push";

    // Enough to tell the requester which instances to look at, without letting one huge failed study bloat the state.
    private const int MaxFailedUidsKept = 10_000;
    private static readonly TimeSpan SoonestDue = TimeSpan.FromSeconds(1);
    private readonly IPersistentState<ShareState> _state;
    private readonly TimeProvider _time;
    private readonly SharingOptions _options;
    private readonly SharePushRunner _runner;
    private readonly ILogger<ShareGrain> _logger;

    /// <summary>Creates the grain.</summary>
    public ShareGrain([PersistentState("share", StorageProviders.Archive)] IPersistentState<ShareState> state, TimeProvider time,
        IOptions<SharingOptions> options, SharePushRunner runner, ILogger<ShareGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _time = time;
        _options = options.Value;
        _runner = runner;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<ShareSnapshot> CreateAsync(ShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_state.State.Share is { } existing) return existing;
        var share = new ShareSnapshot { ShareId = this.GetPrimaryKeyString(), Request = request, Status = ShareStatus.Queued };
        // Pending first: a share that exists is always found again (and its reminder re-registered) at the next silo start.
        await GrainFactory.Reference<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).AddAsync(share.ShareId);
        await GrainFactory.Reference<IStudySharesGrain>(request.StudyInstanceUid).AddAsync(share.ShareId);
        _state.State.Share = share;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        // The reminder is the safety net (a push interrupted by a crash); the push itself starts now.
        await this.RegisterOrUpdateReminder(ReminderName, _options.Lease + SoonestDue, _options.RetryMaxDelay);
        _runner.Start(share.ShareId);
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
        _state.State.Share = share with { Status = ShareStatus.Running, StartedAt = share.StartedAt ?? now, NextAttemptAt = null };
        _state.State.WorkerId = workerId;
        _state.State.LeaseUntil = now + lease;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        return _state.State.Share;
    }

    /// <inheritdoc />
    public async Task<bool> ReportProgressAsync(string workerId, ShareProgress progress, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_state.State.Share is not { Status: ShareStatus.Running } share || _state.State.WorkerId != workerId) return false;
        _state.State.Share = Apply(share, progress);
        _state.State.LeaseUntil = _time.GetUtcNow() + lease;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        return true;
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> DeferAsync(string workerId, ShareProgress progress, string error)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_state.State.Share is not { Status: ShareStatus.Running } share || _state.State.WorkerId != workerId) return null;
        var now = _time.GetUtcNow();
        var attempts = share.Attempts + 1;
        var delay = _options.RetryDelay(attempts);
        var applied = Apply(share, progress) with { Attempts = attempts, Error = error };
        if (now + delay - share.Request.RequestedAt > _options.RetryHorizon)
        {
            // Past the horizon: the worker finishes the share as failed (and audits it) with this progress applied.
            _state.State.Share = applied;
            await _state.WriteOrResetAsync(DeactivateOnIdle);
            return null;
        }

        var next = now + delay;
        _state.State.Share = applied with { Status = ShareStatus.Retrying, NextAttemptAt = next };
        _state.State.WorkerId = null;
        _state.State.LeaseUntil = default;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        await this.RegisterOrUpdateReminder(ReminderName, delay, _options.RetryMaxDelay);
        LogRetryScheduled(_logger, share.ShareId, attempts, next, error);
        return next;
    }

    /// <inheritdoc />
    public async Task ResumeAsync()
    {
        if (_state.State.Share is not { IsFinished: false } share) return;
        var now = _time.GetUtcNow();
        var dueAt = share.Status switch
        {
            ShareStatus.Retrying => share.NextAttemptAt ?? now,
            ShareStatus.Running => _state.State.LeaseUntil,
            _ => now,
        };
        var due = dueAt - now;
        await this.RegisterOrUpdateReminder(ReminderName, due < SoonestDue ? SoonestDue : due, _options.RetryMaxDelay);
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!string.Equals(reminderName, ReminderName, StringComparison.Ordinal)) return;
        var share = _state.State.Share;
        if (share is null || share.IsFinished)
        {
            await DropReminderAsync();
            return;
        }

        var now = _time.GetUtcNow();
        // A period tick before the retry is due, or while a live worker holds the share: nothing to do.
        if (share.Status == ShareStatus.Retrying && share.NextAttemptAt > now + SoonestDue) return;
        if (share.Status == ShareStatus.Running && _state.State.LeaseUntil > now) return;
        _runner.Start(share.ShareId);
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
            NextAttemptAt = null,
            Error = error,
        };
        _state.State.WorkerId = null;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
        await DropReminderAsync();
        await GrainFactory.Reference<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).RemoveAsync(share.ShareId);
        return _state.State.Share;
    }

    private async Task DropReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Share {ShareId}: recipient unreachable (attempt {Attempts}); next attempt at {NextAttemptAt}: {Error}")]
    private static partial void LogRetryScheduled(ILogger logger, string shareId, int attempts, DateTimeOffset nextAttemptAt, string error);
}
