namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Address of a blob: a container (Azure container / top-level folder on the filesystem) and a name
/// inside it (may contain <c>/</c> separated segments).
/// </summary>
/// <param name="Container">Lower-case letters, digits and hyphens, 3–63 characters (Azure's rule, applied everywhere).</param>
/// <param name="Name">Blob name; segments separated by <c>/</c>, no empty, <c>.</c> or <c>..</c> segments.</param>
public readonly record struct BlobKey(string Container, string Name)
{
    /// <inheritdoc />
    public override string ToString() => $"{Container}/{Name}";
}
