namespace Mirc.Grains.Storage.Blobs;

/// <summary>Options of a streaming blob write.</summary>
public sealed record BlobWriteOptions
{
    /// <summary>MIME type stored with the blob (Azure content type; ignored on the filesystem).</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// Expected <see cref="ContentDigest"/> of the content (computed in its algorithm); when set and the content's differs
    /// the write is abandoned (nothing becomes visible) and <see cref="BlobHashMismatchException"/> is thrown.
    /// </summary>
    public string? ExpectedDigest { get; init; }

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

    /// <summary>
    /// Writes the content at the key itself instead of into a temporary file then renamed over it: one file operation
    /// less, for a fresh key nobody reads before the write returns (a staged upload's, or an instance's final name that no
    /// manifest references yet). The key must not exist (the write fails); a failed write deletes what it wrote, a crash
    /// may leave a partial blob there, which the clean-up of staged uploads — at a final name, the orphan sweep — removes
    /// (an upload stalled for longer than that clean-up's age then fails). The filesystem store only; the others write as usual.
    /// </summary>
    public bool InPlace { get; init; }
}
