namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Owner of the cluster's one two-site scrub (key <see cref="Key"/>): a reminder every
/// <see cref="ReplicationOptions.ScrubInterval"/> runs <see cref="ReplicaScrubber"/> wherever the grain lives.
/// </summary>
[Alias("mirc.IReplicaScrubGrain")]
public interface IReplicaScrubGrain : IGrainWithStringKey
{
    /// <summary>The grain's one key.</summary>
    public const string Key = "replica-scrub";

    /// <summary>Registers (or removes, when scrubbing is off) the scrub reminder. Called at each silo start; idempotent.</summary>
    [Alias("Schedule")]
    Task ScheduleAsync();

    /// <summary>Runs one scrub now (operator, tests) and returns what it found.</summary>
    [Alias("ScrubNow")]
    Task<ReplicaScrubReport> ScrubNowAsync();
}
