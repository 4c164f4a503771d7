namespace Mirc.Grains.Storage.Blobs;

/// <summary>The content written does not have the expected SHA-256; nothing was committed.</summary>
[GenerateSerializer, Alias("mirc.BlobHashMismatchException")]
public sealed class BlobHashMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlobHashMismatchException(BlobKey key, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
        : base($"Blob '{key}': SHA-256 {Convert.ToHexStringLower(actual)} differs from expected {Convert.ToHexStringLower(expected)}; write abandoned.")
    {
        Key = key;
        ExpectedSha256 = expected.ToArray();
        ActualSha256 = actual.ToArray();
    }

    /// <summary>The blob that was not written.</summary>
    [Id(0)] public BlobKey Key { get; private set; }

    /// <summary>Hash the caller expected.</summary>
    [Id(1)] public byte[] ExpectedSha256 { get; private set; }

    /// <summary>Hash of the content received.</summary>
    [Id(2)] public byte[] ActualSha256 { get; private set; }
}
