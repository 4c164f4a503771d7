using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Reminders;

/// <summary>
/// A cluster-wide job owned by a grain with a reminder (retention sweep, replica scrub): once the silo is active, asks
/// that grain to (re)register its reminder, so the job runs soon after a start and once per interval in the cluster.
/// A failure is logged, not fatal: the reminder registered by an earlier start is durable and still fires.
/// </summary>
internal sealed partial class ReminderJobStartup : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _job;
    private readonly Func<IGrainFactory, Task> _schedule;
    private readonly IGrainFactory _grains;
    private readonly ILogger<ReminderJobStartup> _logger;

    private ReminderJobStartup(string job, Func<IGrainFactory, Task> schedule, IGrainFactory grains, ILogger<ReminderJobStartup> logger)
    {
        _job = job;
        _schedule = schedule;
        _grains = grains;
        _logger = logger;
    }

    /// <summary>Registers the start-up of <paramref name="job"/>, whose grain's reminder <paramref name="schedule"/> (re)registers.</summary>
    public static void Register(IServiceCollection services, string job, Func<IGrainFactory, Task> schedule) =>
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new ReminderJobStartup(job, schedule, sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILogger<ReminderJobStartup>>()));

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(ReminderJobStartup)}:{_job}", ServiceLifecycleStage.Active, OnStartAsync);

    private async Task OnStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _schedule(_grains).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogScheduleFailed(_logger, ex, _job);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Job}: registering its reminder failed; the reminder of an earlier start, if any, still runs")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception, string job);
}
