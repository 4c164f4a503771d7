namespace Mirc.Grains.Storage.Orphans;

/// <summary>
/// Owner of the cluster's one orphan sweep (key <see cref="Key"/>): a reminder every
/// <see cref="OrphanSweepOptions.SweepInterval"/> runs <see cref="OrphanSweep"/> wherever the grain lives.
/// </summary>
[Alias("mirc.IOrphanSweepGrain")]
public interface IOrphanSweepGrain : IGrainWithStringKey
{
    /// <summary>The one key of this grain.</summary>
    const string Key = "region";

    /// <summary>
    /// Registers the sweep's reminder, first due <see cref="OrphanSweepOptions.FirstSweepDelay"/> from now (or removes
    /// it when <see cref="OrphanSweepOptions.Enabled"/> is false). Called at each silo start; idempotent.
    /// </summary>
    [Alias("Schedule")]
    Task ScheduleAsync();
}
