using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The change-feed follower, section <c>Mirc:ChangeFeed:Follower</c>: one grain in the cluster re-applies the feed's
/// events to the query index, the patients' study lists and the retention schedule from its durable checkpoints, so
/// those projections converge on the manifests even when an ingest stopped between its manifest commit and its own
/// index write (the retention schedule has no other writer).
/// </summary>
public sealed class ChangeFeedFollowerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:ChangeFeed:Follower";

    /// <summary>Whether the follower runs on its own (a reminder and a timer); when false it only runs on demand (admin, tests).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Time between two catch-ups of the running follower. With <see cref="SettleDelay"/> it bounds how old an event is
    /// when it is projected: both together stay under the idle age of study and patient activations (see there).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Age an event must reach before it is projected: the ingest writes the index itself right after the manifest
    /// commit (or undoes the store, whose Delete event follows), so the follower mostly finds its work done. The
    /// projections read each new study's grain and its patient's: this delay plus <see cref="PollInterval"/> must stay
    /// under their idle age (<c>Mirc:Activations</c>, 2 s, checked at start-up), or every new study's grains are
    /// activated again from storage — with a 2 s poll and a 1 s delay that cost ~15 % more silo CPU per new study.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events read and applied per batch (one checkpoint write per batch).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Batches per catch-up; the rest waits for the next one (bounds a tick after a long outage).</summary>
    [Range(1, 10_000)]
    public int MaxBatchesPerCatchUp { get; set; } = 20;

    /// <summary>
    /// At the follower's first start, append Create events for the studies stored before the feed existed (walks the
    /// stored study manifests once; the completion is recorded in the follower's state).
    /// </summary>
    public bool BackfillOnStart { get; set; } = true;
}
