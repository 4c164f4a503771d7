namespace Mirc.Grains.Storage.Blobs;

/// <summary>Outcome of a committed (durable, fully visible) blob write.</summary>
/// <param name="Key">Where the blob is.</param>
/// <param name="Length">Bytes written.</param>
/// <param name="Sha256">SHA-256 of the content, 32 bytes, computed while streaming.</param>
/// <param name="ETag">Version tag of the new blob.</param>
public sealed record BlobWriteResult(BlobKey Key, long Length, byte[] Sha256, BlobETag ETag)
{
    /// <summary>Lower-case hex of <see cref="Sha256"/>.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}
