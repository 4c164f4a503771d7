namespace Mirc.Grains.Storage.Blobs;

/// <summary>Options of a streaming blob write.</summary>
public sealed record BlobWriteOptions
{
    /// <summary>MIME type stored with the blob (Azure content type; ignored on the filesystem).</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// Expected SHA-256 of the content; when set and the computed hash differs the write is abandoned
    /// (nothing becomes visible) and <see cref="BlobHashMismatchException"/> is thrown.
    /// </summary>
    public ReadOnlyMemory<byte>? ExpectedSha256 { get; init; }

    /// <summary>
    /// Whether an existing blob may be replaced (default <c>true</c>: re-ingesting the same instance is idempotent).
    /// When <c>false</c> an existing blob makes the write throw <see cref="BlobConcurrencyException"/>.
    /// </summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>
    /// Whether the blob must be durable when the write returns (default <c>true</c>). Off for scratch data that a later
    /// durable step covers (a staged instance is made durable by its move to the final key) or that may be lost.
    /// </summary>
    public bool Durable { get; init; } = true;
}
