using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Reminders;

namespace Mirc.Grains.Retention;

/// <summary><see cref="IRetentionSweepGrain"/>: no state of its own; the reminder is its schedule.</summary>
public sealed partial class RetentionSweepGrain : Grain, IRetentionSweepGrain, IRemindable
{
    /// <summary>Name of the sweep reminder.</summary>
    public const string ReminderName = "retention-sweep";

    private readonly RetentionSweep _sweep;
    private readonly RetentionOptions _options;
    private readonly ILogger<RetentionSweepGrain> _logger;

    /// <summary>Creates the grain.</summary>
    public RetentionSweepGrain(RetentionSweep sweep, IOptions<RetentionOptions> options, ILogger<RetentionSweepGrain> logger)
    {
        _sweep = sweep;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task ScheduleAsync() => this.ScheduleAsync(ReminderName, _options.Enabled, _options.FirstSweepDelay, _options.SweepInterval);

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!string.Equals(reminderName, ReminderName, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            await _sweep.RunAsync();
        }
        catch (Exception ex)
        {
            // The reminder fires again at the next interval; buckets already handed keep their own reminders.
            LogFailed(_logger, ex, _options.SweepInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed; the next one runs in {SweepInterval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan sweepInterval);
}
