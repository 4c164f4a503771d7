using Orleans.Concurrency;

namespace Mirc.Grains.Retention;

/// <summary>
/// Studies of one establishment first received on one UTC day (key <see cref="RetentionKeys.Bucket"/>). Once the
/// <see cref="RetentionSweep"/> finds the day past the retention period it hands the bucket its erasure
/// (<see cref="ExpireAsync"/>); from then on the bucket owns it: a reminder retries every study not yet erased until
/// none is left, across failures and restarts.
/// </summary>
[Alias("mirc.IRetentionBucketGrain")]
public interface IRetentionBucketGrain : IGrainWithStringKey
{
    /// <summary>Adds studies (idempotent), in one write of the open page (and, when it fills, one of the page it seals).</summary>
    [Alias("AddRange")]
    Task AddAsync(IReadOnlyList<string> studyInstanceUids);

    /// <summary>The studies in the bucket (erased ones leave it).</summary>
    [Alias("GetStudies"), ReadOnly]
    Task<IReadOnlyList<string>> GetStudiesAsync();

    /// <summary>
    /// Starts the bucket's erasure (idempotent): records it with its reminder, then erases every study it can now.
    /// Studies whose erasure failed stay in the bucket and are retried by the reminder.
    /// </summary>
    /// <param name="reason">Why (kept in each study's tombstone and audit record).</param>
    [Alias("Expire")]
    Task<RetentionBucketErasure> ExpireAsync(string reason);
}
