using Mirc.Grains.FanOut;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retention;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The retention schedule as a projection of the feed: a live study a Create names is in the bucket of its
/// establishment, first-received day and shard (<see cref="RetentionKeys.Bucket"/>), and the schedule knows that day.
/// The key comes from the study's summary, the system of record (the feed's events carry neither the first-received
/// date nor, on an event of a later instance, the day that counts), so a rebuild puts every study back in the same
/// bucket. A deleted or emptied study is left out; one already registered stays (buckets drop a study only once its
/// erasure is done: a deleted one costs its bucket a no-op erasure), and adding is idempotent.
/// </summary>
internal sealed class RetentionScheduleProjection(IGrainFactory grains) : IChangeFeedProjection
{
    /// <summary>Checkpoint name.</summary>
    public const string ProjectionName = "retention-schedule";

    public string Name => ProjectionName;

    public async Task ApplyAsync(IReadOnlyList<ChangeFeedEvent> events, StudySummaryReads summaries, CancellationToken cancellationToken)
    {
        var created = events.Where(e => e.Action == ChangeFeedAction.Create).Select(e => e.StudyInstanceUid).Distinct(StringComparer.Ordinal).ToArray();
        if (created.Length == 0)
        {
            return;
        }

        var registrations = (await BoundedFanOut.SelectAsync(created, (uid, ct) => RegistrationOfAsync(summaries, uid, ct), cancellationToken: cancellationToken).ConfigureAwait(false))
            .OfType<Registration>()
            .ToArray();

        // Buckets first, then the schedule: a sweep passing between the two may mark the day swept, and the note that
        // follows sets the day back for the next sweep (RetentionScheduleGrain.NoteAsync); the other order could leave a
        // study in a bucket already swept (only ever for a day past its retention: a replay years later).
        // One call (one write of the bucket's open page) per bucket and batch, not one per study.
        var buckets = registrations
            .GroupBy(r => RetentionKeys.Bucket(r.EstablishmentId, r.Day, RetentionKeys.Shard(r.StudyInstanceUid)), StringComparer.Ordinal)
            .ToArray();
        await BoundedFanOut.SelectAsync(buckets, AddToBucketAsync, cancellationToken: cancellationToken).ConfigureAwait(false);
        var schedule = grains.Reference<IRetentionScheduleGrain>(RetentionKeys.Schedule);
        foreach (var (establishmentId, day) in registrations.Select(r => (r.EstablishmentId, r.Day)).Distinct())
        {
            await schedule.NoteAsync(establishmentId, day.DayNumber).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<Registration?> RegistrationOfAsync(StudySummaryReads summaries, string studyInstanceUid, CancellationToken cancellationToken)
    {
        var summary = await summaries.GetAsync(studyInstanceUid, cancellationToken).ConfigureAwait(false);
        if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty || summary.EstablishmentId is not { } establishmentId || summary.FirstReceivedAt is not { } first)
        {
            return null;
        }

        return new Registration(studyInstanceUid, establishmentId, DateOnly.FromDateTime(first.UtcDateTime));
    }

    private async Task<bool> AddToBucketAsync(IGrouping<string, Registration> bucket, CancellationToken cancellationToken)
    {
        var studies = bucket.Select(r => r.StudyInstanceUid).ToArray();
        await grains.Reference<IRetentionBucketGrain>(bucket.Key).AddAsync(studies).WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private sealed record Registration(string StudyInstanceUid, string EstablishmentId, DateOnly Day);
}
