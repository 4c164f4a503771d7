namespace Mirc.Grains.Storage.Blobs;

/// <summary>Opaque version tag of a blob; changes on every write. Compare with <c>==</c>.</summary>
/// <param name="Value">The provider's tag text (quoted HTTP ETag on Azure, a version string on the filesystem).</param>
[GenerateSerializer, Immutable, Alias("mirc.BlobETag")]
public readonly record struct BlobETag([property: Id(0)] string Value)
{
    /// <inheritdoc />
    public override string ToString() => Value;
}
