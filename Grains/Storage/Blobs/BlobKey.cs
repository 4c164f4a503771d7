namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Address of a blob: a container (Azure container / top-level folder on the filesystem) and a name
/// inside it (may contain <c>/</c> separated segments).
/// </summary>
/// <param name="Container">Lower-case letters, digits and hyphens, 3–63 characters (Azure's rule, applied everywhere).</param>
/// <param name="Name">Blob name; segments separated by <c>/</c>, no empty, <c>.</c> or <c>..</c> segments.</param>
[GenerateSerializer, Immutable, Alias("mirc.BlobKey")]
public readonly record struct BlobKey([property: Id(0)] string Container, [property: Id(1)] string Name)
{
    /// <inheritdoc />
    public override string ToString() => $"{Container}/{Name}";
}
