using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Reminders;

namespace Mirc.Grains.Storage.Orphans;

/// <summary><see cref="IOrphanSweepGrain"/>: no state of its own; the reminder is its schedule.</summary>
public sealed partial class OrphanSweepGrain : Grain, IOrphanSweepGrain, IRemindable
{
    /// <summary>Name of the sweep reminder.</summary>
    public const string ReminderName = "orphan-sweep";

    private readonly OrphanSweep _sweep;
    private readonly OrphanSweepOptions _options;
    private readonly ILogger<OrphanSweepGrain> _logger;

    /// <summary>Creates the grain.</summary>
    public OrphanSweepGrain(OrphanSweep sweep, IOptions<OrphanSweepOptions> options, ILogger<OrphanSweepGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sweep = sweep;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task ScheduleAsync() => this.ScheduleAsync(ReminderName, _options.Enabled, _options.FirstSweepDelay, _options.SweepInterval);

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!string.Equals(reminderName, ReminderName, StringComparison.Ordinal)) return;
        try
        {
            await _sweep.RunAsync();
        }
        catch (Exception ex)
        {
            // Nothing is lost by a failed pass: the orphans are still there at the next interval.
            LogFailed(_logger, ex, _options.SweepInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Orphan sweep failed; the next one runs in {SweepInterval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan sweepInterval);
}
