namespace Mirc.Grains.Retention;

/// <summary>Outcome of one erasure pass over a retention bucket.</summary>
/// <param name="Erased">Studies erased by this pass (or found already erased); they left the bucket.</param>
/// <param name="Pending">Studies whose erasure failed this time; the bucket's reminder retries them.</param>
[GenerateSerializer, Immutable, Alias("mirc.RetentionBucketErasure")]
public sealed record RetentionBucketErasure(
    [property: Id(0)] IReadOnlyList<string> Erased,
    [property: Id(1)] IReadOnlyList<string> Pending);
