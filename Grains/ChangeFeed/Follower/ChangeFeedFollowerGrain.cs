using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Observability;
using Mirc.Grains.Reminders;
using Mirc.Grains.Storage;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// <see cref="IChangeFeedFollowerGrain"/>: checkpoints in <c>[PersistentState("changefeedFollower")]</c>, one per
/// projection, advanced after each applied batch (a crash mid-batch re-applies it: projections are idempotent). While
/// enabled, a keep-alive timer catches up every <see cref="ChangeFeedFollowerOptions.PollInterval"/> and a reminder
/// brings the grain back after a restart or a silo loss.
/// </summary>
public sealed partial class ChangeFeedFollowerGrain : Grain, IChangeFeedFollowerGrain, IRemindable
{
    /// <summary>Name of the reminder that keeps the follower alive.</summary>
    public const string ReminderName = "changefeed-follower";

    /// <summary>Name of the follower's state (a backup leaves it out: <see cref="Storage.Backup.DataFolderBackup"/>).</summary>
    public const string StateName = "changefeedFollower";

    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private readonly IPersistentState<ChangeFeedFollowerState> _state;
    private readonly IChangeFeed _feed;
    private readonly IReadOnlyList<IChangeFeedProjection> _projections;
    private readonly ChangeFeedBackfill _backfill;
    private readonly ChangeFeedFollowerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChangeFeedFollowerGrain> _logger;
    private readonly CancellationToken _hostStopping;
    private IGrainTimer? _timer;
    private DateTimeOffset _backfillRetryAt;

    /// <summary>Creates the grain.</summary>
    public ChangeFeedFollowerGrain(
        [PersistentState(StateName, StorageProviders.Archive)] IPersistentState<ChangeFeedFollowerState> state,
        IChangeFeed feed,
        IEnumerable<IChangeFeedProjection> projections,
        ChangeFeedBackfill backfill,
        IOptions<ChangeFeedFollowerOptions> options,
        TimeProvider clock,
        ILogger<ChangeFeedFollowerGrain> logger,
        IHostApplicationLifetime? lifetime = null)
    {
        _hostStopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _state = state;
        _feed = feed;
        _projections = projections.ToArray();
        _backfill = backfill;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            // Disposed with the activation; KeepAlive: the follower stays active between catch-ups.
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.PollInterval) { KeepAlive = true });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ScheduleAsync() => this.ScheduleAsync(ReminderName, _options.Enabled, ReminderPeriod, ReminderPeriod);

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // Activation starts the timer.

    /// <inheritdoc />
    public Task<ChangeFeedFollowerStatus> CatchUpAsync(int maxBatches) => FollowAsync(Math.Clamp(maxBatches, 1, 100_000), CancellationToken.None);

    /// <inheritdoc />
    public async Task<ChangeFeedFollowerStatus> GetStatusAsync() => await StatusAsync(CancellationToken.None);

    /// <inheritdoc />
    public async Task<ChangeFeedBackfillReport> BackfillAsync()
    {
        var report = await _backfill.RunAsync(CancellationToken.None);
        _state.State.BackfilledAt = _clock.GetUtcNow();
        await _state.WriteStateAsync();
        return report;
    }

    /// <inheritdoc />
    public async Task RewindAsync()
    {
        _state.State.Checkpoints.Clear();
        await _state.WriteStateAsync();
        LogRewound(_logger);
    }

    private async Task OnTimerAsync(CancellationToken timerStopped)
    {
        // A host that is stopping refuses to place grains the projections call: stop between batches, not fail in them.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(timerStopped, _hostStopping);
        var cancellationToken = stopping.Token;
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        // A failed backfill is retried a reminder period later; following the feed does not wait for it.
        if (_options.BackfillOnStart && _state.State.BackfilledAt is null && _clock.GetUtcNow() >= _backfillRetryAt)
        {
            try
            {
                await BackfillAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _backfillRetryAt = _clock.GetUtcNow() + ReminderPeriod;
                LogBackfillFailed(_logger, ex, ReminderPeriod);
            }
        }

        try
        {
            await FollowAsync(_options.MaxBatchesPerCatchUp, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivation or shutdown: the checkpoints say where to resume.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTickFailed(_logger, ex, _options.PollInterval);
        }
    }

    /// <summary>
    /// Up to <paramref name="maxBatches"/> batches, each read once from the lowest checkpoint and applied by every
    /// projection to the events past its own (one summary read per study for all of them, one checkpoint write per
    /// batch). A projection that fails keeps its checkpoint and sits out the rest of this catch-up; the next one retries it.
    /// </summary>
    private async Task<ChangeFeedFollowerStatus> FollowAsync(int maxBatches, CancellationToken cancellationToken)
    {
        var failed = new HashSet<IChangeFeedProjection>();
        for (var batch = 0; batch < maxBatches; batch++)
        {
            var following = _projections.Where(p => !failed.Contains(p)).ToArray();
            if (following.Length == 0)
            {
                break;
            }

            var from = following.Min(p => _state.State.Checkpoints.GetValueOrDefault(p.Name));
            var events = await _feed.ReadAsync(from, _options.BatchSize, null, cancellationToken);
            // Events still young are left to the ingest that wrote them (it indexes inline or undoes the store).
            var settledBefore = _clock.GetUtcNow() - _options.SettleDelay;
            var settled = events.TakeWhile(e => e.Timestamp <= settledBefore).ToArray();
            if (settled.Length == 0)
            {
                break;
            }

            var summaries = new StudySummaryReads(GrainFactory);
            var applied = false;
            foreach (var projection in following)
            {
                var checkpoint = _state.State.Checkpoints.GetValueOrDefault(projection.Name);
                var pending = Array.FindAll(settled, e => e.Sequence > checkpoint);
                if (pending.Length == 0)
                {
                    continue;
                }

                try
                {
                    await projection.ApplyAsync(pending, summaries, cancellationToken);
                    _state.State.Checkpoints[projection.Name] = settled[^1].Sequence;
                    applied = true;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The checkpoint stays at the last applied batch: the next catch-up retries from there.
                    failed.Add(projection);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Stopped mid-batch (the host is shutting down): expected, and resumed after the restart.
                        LogStoppedMidBatch(_logger, projection.Name, checkpoint, ex.Message);
                        break;
                    }

                    LogProjectionFailed(_logger, ex, projection.Name, checkpoint);
                }
            }

            if (applied)
            {
                await _state.WriteStateAsync();
            }

            if (cancellationToken.IsCancellationRequested || settled.Length < _options.BatchSize)
            {
                break;
            }
        }

        return await StatusAsync(cancellationToken);
    }

    private async Task<ChangeFeedFollowerStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var head = (await _feed.LatestAsync(null, cancellationToken))?.Sequence ?? 0;
        var checkpoints = _projections.ToDictionary(p => p.Name, p => _state.State.Checkpoints.GetValueOrDefault(p.Name), StringComparer.Ordinal);
        foreach (var (name, checkpoint) in checkpoints)
        {
            ArchiveMetrics.ChangeFeedLag(name, Math.Max(0, head - checkpoint));
        }

        return new ChangeFeedFollowerStatus { Head = head, Checkpoints = checkpoints, BackfilledAt = _state.State.BackfilledAt };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Change-feed follower: projection {Projection} failed after sequence {Checkpoint}; retried at the next catch-up")]
    private static partial void LogProjectionFailed(ILogger logger, Exception exception, string projection, long checkpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change-feed follower stopped by the shutdown during projection {Projection} after sequence {Checkpoint} ({Reason}); it resumes from there")]
    private static partial void LogStoppedMidBatch(ILogger logger, string projection, long checkpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Change-feed follower: catch-up failed; the next one runs in {PollInterval}")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, TimeSpan pollInterval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Change-feed follower: the backfill of studies older than the feed failed; retried in {RetryIn}")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception, TimeSpan retryIn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change-feed follower rewound: every projection re-applies the feed from its start")]
    private static partial void LogRewound(ILogger logger);
}
