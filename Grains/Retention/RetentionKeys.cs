namespace Mirc.Grains.Retention;

/// <summary>Grain keys of the retention bookkeeping.</summary>
public static class RetentionKeys
{
    /// <summary>Key of the single <see cref="IRetentionScheduleGrain"/>.</summary>
    public const string Schedule = "region";

    /// <summary>Actor recorded for deletions made by the retention sweep.</summary>
    public const string Actor = "system:retention";

    /// <summary>
    /// Buckets per establishment and day: a busy establishment's day is spread over several grains, so that each new
    /// study rewrites a small set and concurrent new studies do not queue on one grain.
    /// </summary>
    public const int ShardsPerDay = 16;

    /// <summary>Key of the <see cref="IRetentionBucketGrain"/> of an establishment, day and shard: <c>establishment|yyyyMMdd|shard</c>.</summary>
    public static string Bucket(string establishmentId, DateOnly day, int shard) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{establishmentId}|{day:yyyyMMdd}|{shard}");

    /// <summary>The bucket shard of a study (stable across processes: FNV-1a of the UID).</summary>
    public static int Shard(string studyInstanceUid)
    {
        var hash = 2166136261u;
        foreach (var c in studyInstanceUid)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % ShardsPerDay);
    }
}
