namespace Mirc.Grains.Reminders;

/// <summary>The reminder of a cluster-wide job grain (retention sweep, orphan sweep, replica scrub, change-feed follower).</summary>
internal static class JobReminder
{
    /// <summary>
    /// Registers (or moves) the job's reminder when the job is enabled, and removes it when it is not: a job switched
    /// off in configuration must stop firing, although its reminder, registered by an earlier start, is durable.
    /// </summary>
    public static async Task ScheduleAsync(this Grain grain, string name, bool enabled, TimeSpan dueTime, TimeSpan period)
    {
        if (enabled)
        {
            await grain.RegisterOrUpdateReminder(name, dueTime, period);
        }
        else if (await grain.GetReminder(name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
