namespace Mirc.Grains.Retention;

/// <summary>
/// Studies of one establishment first received on one UTC day (key <see cref="RetentionKeys.Bucket"/>): what the
/// <see cref="RetentionSweep"/> deletes once that day is past the establishment's retention period.
/// </summary>
[Alias("mirc.IRetentionBucketGrain")]
public interface IRetentionBucketGrain : IGrainWithStringKey
{
    /// <summary>Adds a study (idempotent).</summary>
    [Alias("Add")]
    Task AddAsync(string studyInstanceUid);

    /// <summary>Removes a study (idempotent).</summary>
    [Alias("Remove")]
    Task RemoveAsync(string studyInstanceUid);

    /// <summary>The studies in the bucket.</summary>
    [Alias("GetStudies")]
    Task<IReadOnlyList<string>> GetStudiesAsync();
}
