namespace Mirc.Grains.Retention;

/// <summary>Persistent state of a retention bucket.</summary>
[GenerateSerializer, Alias("mirc.RetentionBucketState")]
public sealed class RetentionBucketState
{
    /// <summary>
    /// Study Instance UIDs not yet erased, of the open page (those of sealed pages are in their own records; a bucket
    /// written before pages existed holds all its studies here).
    /// </summary>
    [Id(0)] public HashSet<string> Studies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Set once the bucket's day is past its retention: why its studies are erased (null: not expired).</summary>
    [Id(1)] public string? ErasureReason { get; set; }

    /// <summary>Sealed pages (<see cref="RetentionBucketPages"/>) written before this record: pages 0 to this count - 1.</summary>
    [Id(2)] public int SealedPages { get; set; }
}
