namespace Mirc.Grains.Storage.Blobs;

/// <summary>The blob to read does not exist.</summary>
[GenerateSerializer, Alias("mirc.BlobNotFoundException")]
public sealed class BlobNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobNotFoundException(BlobKey key, Exception? inner = null)
        : base($"Blob '{key}' does not exist.", inner) => Key = key;

    /// <summary>The missing blob.</summary>
    [Id(0)] public BlobKey Key { get; private set; }
}
