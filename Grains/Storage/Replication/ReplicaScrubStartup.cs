using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Storage.Replication;

/// <summary>Once the silo is active, asks the <see cref="IReplicaScrubGrain"/> to (re)register its reminder.</summary>
internal sealed partial class ReplicaScrubStartup : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGrainFactory _grains;
    private readonly ILogger<ReplicaScrubStartup> _logger;

    public ReplicaScrubStartup(IGrainFactory grains, ILogger<ReplicaScrubStartup> logger)
    {
        _grains = grains;
        _logger = logger;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ReplicaScrubStartup), ServiceLifecycleStage.Active, OnStartAsync);

    private async Task OnStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _grains.GetGrain<IReplicaScrubGrain>(IReplicaScrubGrain.Key).ScheduleAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogScheduleFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Replication: registering the scrub reminder failed; the reminder of an earlier start, if any, still runs")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception);
}
