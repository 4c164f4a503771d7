namespace Mirc.Grains.Retention;

/// <summary>
/// Owner of the cluster's one retention sweep (key <see cref="RetentionKeys.Schedule"/>): a reminder every
/// <see cref="RetentionOptions.SweepInterval"/> runs <see cref="RetentionSweep"/> wherever the grain lives, instead of
/// a loop on every silo.
/// </summary>
[Alias("mirc.IRetentionSweepGrain")]
public interface IRetentionSweepGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the sweep's reminder, first due <see cref="RetentionOptions.FirstSweepDelay"/> from now (or removes it
    /// when <see cref="RetentionOptions.Enabled"/> is false). Called at each silo start; idempotent.
    /// </summary>
    [Alias("Schedule")]
    Task ScheduleAsync();
}
