namespace Mirc.Grains.Retention;

/// <summary>Persistent state of a retention bucket.</summary>
[GenerateSerializer, Alias("mirc.RetentionBucketState")]
public sealed class RetentionBucketState
{
    /// <summary>Study Instance UIDs not yet erased.</summary>
    [Id(0)] public HashSet<string> Studies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Set once the bucket's day is past its retention: why its studies are erased (null: not expired).</summary>
    [Id(1)] public string? ErasureReason { get; set; }
}
