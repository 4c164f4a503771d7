using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Runs <see cref="IngestReconciler"/> in the background: one pass when the silo becomes active (grains are callable
/// then), then one every <see cref="IngestOptions.ReconcileInterval"/>, so a silo that dies mid-ingest is settled by the
/// survivors and a survivor's failed undo is redone without waiting for anyone's restart. Passes are idempotent; several
/// silos running them at once only repeat each other's work.
/// </summary>
internal sealed partial class IngestReconciliationSchedule : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly IngestReconciler _reconciler;
    private readonly IngestOptions _options;
    private readonly ILogger<IngestReconciliationSchedule> _logger;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stopping = new();

    public IngestReconciliationSchedule(IngestReconciler reconciler, IOptions<IngestOptions> options, ILogger<IngestReconciliationSchedule> logger, TimeProvider? clock = null)
    {
        _reconciler = reconciler;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Completes when the schedule is over (the silo stops; for tests: at once when nothing is scheduled).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(IngestReconciliationSchedule), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        if (_options.ReconcileOnStart || _options.ReconcileInterval > TimeSpan.Zero)
        {
            Completion = Task.Run(RunAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the next start-up runs the pass again.
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            if (!first || _options.ReconcileOnStart)
            {
                try
                {
                    await _reconciler.ReconcileAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Storage or index unreachable for now: the next pass tries again.
                    LogFailed(_logger, ex);
                }
            }

            first = false;
            if (_options.ReconcileInterval <= TimeSpan.Zero)
            {
                return;
            }

            try
            {
                await Task.Delay(_options.ReconcileInterval, _clock, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest reconciliation pass failed; retried at the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
