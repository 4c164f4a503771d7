namespace Mirc.Grains.Retention;

/// <summary>Persistent state of a retention bucket.</summary>
[GenerateSerializer, Alias("mirc.RetentionBucketState")]
public sealed class RetentionBucketState
{
    /// <summary>Study Instance UIDs.</summary>
    [Id(0)] public HashSet<string> Studies { get; set; } = new(StringComparer.Ordinal);
}
