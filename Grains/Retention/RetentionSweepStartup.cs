using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Retention;

/// <summary>
/// Once the silo is active, asks the <see cref="IRetentionSweepGrain"/> to (re)register its reminder: the sweep then
/// runs soon after a start (a silo down for a while catches up) and once per interval in the whole cluster.
/// </summary>
internal sealed partial class RetentionSweepStartup : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGrainFactory _grains;
    private readonly ILogger<RetentionSweepStartup> _logger;

    public RetentionSweepStartup(IGrainFactory grains, ILogger<RetentionSweepStartup> logger)
    {
        _grains = grains;
        _logger = logger;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RetentionSweepStartup), ServiceLifecycleStage.Active, OnStartAsync);

    private async Task OnStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _grains.GetGrain<IRetentionSweepGrain>(RetentionKeys.Schedule).ScheduleAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminder registered by an earlier start (durable) still fires; the silo need not stop for this.
            LogScheduleFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention: registering the sweep reminder failed; the reminder of an earlier start, if any, still runs")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception);
}
