namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// A conditional write or delete lost: the blob's current version is not the expected one
/// (or it exists when it was required not to, or is gone when it was required to exist).
/// </summary>
[GenerateSerializer, Alias("mirc.BlobConcurrencyException")]
public sealed class BlobConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobConcurrencyException(BlobKey key, BlobETag? expected, BlobETag? actual, Exception? inner = null)
        : base($"Blob '{key}' changed concurrently: expected ETag {Describe(expected)}, found {Describe(actual)}.", inner)
    {
        Key = key;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The blob.</summary>
    [Id(0)] public BlobKey Key { get; private set; }

    /// <summary>The version the caller expected; <c>null</c> = expected the blob not to exist.</summary>
    [Id(1)] public BlobETag? Expected { get; private set; }

    /// <summary>The version found, when known; <c>null</c> = absent or unknown.</summary>
    [Id(2)] public BlobETag? Actual { get; private set; }

    private static string Describe(BlobETag? tag) => tag is { } t ? $"'{t.Value}'" : "<none>";
}
