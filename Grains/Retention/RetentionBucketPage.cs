namespace Mirc.Grains.Retention;

/// <summary>A sealed page of a retention bucket: study UIDs not yet erased.</summary>
[GenerateSerializer, Alias("mirc.RetentionBucketPage")]
public sealed class RetentionBucketPage
{
    /// <summary>Study Instance UIDs.</summary>
    [Id(0)] public List<string> Studies { get; set; } = [];
}
