namespace Mirc.Grains.Storage.Blobs;

/// <summary>Outcome of a committed (durable, fully visible) blob write.</summary>
/// <param name="Key">Where the blob is.</param>
/// <param name="Length">Bytes written.</param>
/// <param name="Digest">The content's <see cref="ContentDigest"/>, computed while streaming.</param>
/// <param name="ETag">Version tag of the new blob.</param>
public sealed record BlobWriteResult(BlobKey Key, long Length, string Digest, BlobETag ETag);
