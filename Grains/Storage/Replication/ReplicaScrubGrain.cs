using Microsoft.Extensions.Logging;
using Mirc.Grains.Reminders;

namespace Mirc.Grains.Storage.Replication;

/// <summary><see cref="IReplicaScrubGrain"/>: no state of its own; the reminder is its schedule.</summary>
public sealed partial class ReplicaScrubGrain : Grain, IReplicaScrubGrain, IRemindable
{
    /// <summary>Name of the scrub reminder.</summary>
    public const string ReminderName = "replica-scrub";

    private readonly ReplicaScrubber _scrubber;
    private readonly ReplicationOptions _options;
    private readonly ILogger<ReplicaScrubGrain> _logger;

    /// <summary>Creates the grain.</summary>
    public ReplicaScrubGrain(ReplicaScrubber scrubber, ReplicationOptions options, ILogger<ReplicaScrubGrain> logger)
    {
        _scrubber = scrubber;
        _options = options;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task ScheduleAsync() => this.ScheduleAsync(ReminderName, _options.ScrubEnabled, _options.FirstScrubDelay, _options.ScrubInterval);

    /// <inheritdoc />
    public Task<ReplicaScrubReport> ScrubNowAsync() => _scrubber.RunAsync();

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!string.Equals(reminderName, ReminderName, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            await _scrubber.RunAsync();
        }
        catch (Exception ex)
        {
            // A site that does not answer stops the pass; the next interval starts over.
            LogFailed(_logger, ex, _options.ScrubInterval);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Replication scrub failed; the next one runs in {ScrubInterval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan scrubInterval);
}
