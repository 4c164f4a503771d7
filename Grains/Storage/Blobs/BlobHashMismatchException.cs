namespace Mirc.Grains.Storage.Blobs;

/// <summary>The content written does not have the expected <see cref="ContentDigest"/>; nothing was committed.</summary>
[GenerateSerializer, Alias("mirc.BlobHashMismatchException")]
public sealed class BlobHashMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobHashMismatchException(BlobKey key, string expected, string actual)
        : base($"Blob '{key}': digest {actual} differs from expected {expected}; write abandoned.")
    {
        Key = key;
        ExpectedDigest = expected;
        ActualDigest = actual;
    }

    /// <summary>The blob that was not written.</summary>
    [Id(0)] public BlobKey Key { get; private set; }

    /// <summary>Digest the caller expected.</summary>
    [Id(1)] public string ExpectedDigest { get; private set; }

    /// <summary>Digest of the content received.</summary>
    [Id(2)] public string ActualDigest { get; private set; }

    /// <summary>Throws when <paramref name="actual"/> is not <paramref name="options"/>' expected digest.</summary>
    internal static void ThrowIfUnexpected(BlobKey key, BlobWriteOptions? options, string actual)
    {
        if (options?.ExpectedDigest is { } expected && !ContentDigest.SameDigest(expected, actual))
        {
            throw new BlobHashMismatchException(key, expected, actual);
        }
    }
}
