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

    /// <summary>Time between two catch-ups of the running follower.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Age an event must reach before it is projected: the ingest writes the index itself right after the manifest
    /// commit (or undoes the store, whose Delete event follows), so the follower mostly finds its work done. Kept well
    /// under the idle age of study and patient activations (<c>Mirc:Activations</c>, 10 s): the projections read those
    /// grains, and a later read kept each new study's grains alive twice as long (10 s: ~12,000 study and ~12,000
    /// patient activations at 440 new studies/s instead of ~9,000) or activated them again from storage.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(1);

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
