using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Retention;

/// <summary>
/// Runs <see cref="RetentionSweep"/> every <see cref="RetentionOptions.SweepInterval"/> once the silo is active
/// (grains callable). In a cluster every silo sweeps; deletions are idempotent, so overlapping sweeps are harmless.
/// </summary>
internal sealed partial class RetentionSweeper : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly RetentionSweep _sweep;
    private readonly RetentionOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<RetentionSweeper> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public RetentionSweeper(RetentionSweep sweep, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionSweeper> logger)
    {
        _sweep = sweep;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RetentionSweeper), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            _loop = Task.Run(RunAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await _sweep.RunAsync(cancellationToken: _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Silo stopping.
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed; retried at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
