namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Durable blob storage for DICOM instances and small state documents. Implementations:
/// <see cref="FileSystemBlobStore"/> (embedded) and <see cref="AzureBlobStore"/> (cluster).
/// All members are thread-safe and meant to be called with many operations in flight at once.
/// Containers are created on first write.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="content"/> into <paramref name="key"/>, computing its SHA-256 on the way.
    /// The blob becomes visible only complete and durable (never half-written); on failure, cancellation or
    /// hash mismatch nothing is visible and a previous version (if any) is kept.
    /// </summary>
    /// <exception cref="BlobHashMismatchException">The content does not match <see cref="BlobWriteOptions.ExpectedDigest"/>.</exception>
    /// <exception cref="BlobConcurrencyException">The blob exists and <see cref="BlobWriteOptions.Overwrite"/> is false.</exception>
    Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="WriteAsync"/> at <paramref name="key"/> when no blob is there, else at <paramref name="alternate"/>
    /// (written as <paramref name="options"/> say); the result names the key written. The blob at <paramref name="key"/>
    /// is never replaced. Default: one existence check, then the write; a store that can make the check part of the write
    /// (Azure: a conditional Put Blob) saves that request.
    /// </summary>
    /// <exception cref="BlobConcurrencyException">
    /// <paramref name="key"/> was free when checked and taken before the write could commit there (a concurrent writer).
    /// </exception>
    async Task<BlobWriteResult> WriteUnlessTakenAsync(BlobKey key, BlobKey alternate, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        await TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is null
            ? await WriteAsync(key, content, (options ?? new BlobWriteOptions()) with { Overwrite = false }, cancellationToken).ConfigureAwait(false)
            : await WriteAsync(alternate, content, options, cancellationToken).ConfigureAwait(false);

    /// <summary>Opens the blob (or a byte range of it) for sequential reading. The caller disposes the stream.</summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist.</exception>
    Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Size, version and time of the blob, or <c>null</c> when it does not exist.</summary>
    Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; <c>false</c> when it did not exist.</summary>
    /// <param name="key">The blob.</param>
    /// <param name="ifMatch">When set, delete only if the current version is this one, else <see cref="BlobConcurrencyException"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="key"/> only while it holds <paramref name="version"/>; <c>false</c> when it does not exist or
    /// has been written again since — the bytes there are then someone else's (a newer ingest, a promotion over them).
    /// </summary>
    async Task<bool> DeleteVersionAsync(BlobKey key, BlobETag version, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DeleteAsync(key, version, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>Lists the blobs of a container whose name starts with <paramref name="prefix"/> (all when null), in no guaranteed order.</summary>
    IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically replaces a small blob if its current version is <paramref name="expected"/>
    /// (<c>null</c> = the blob must not exist yet). Returns the new version.
    /// </summary>
    /// <exception cref="BlobConcurrencyException">The current version differs.</exception>
    Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="WriteIfMatchAsync"/> whose new version may become durable only with the next durable operation of this
    /// store that starts after it returns (a write, a deletion, <see cref="FlushAsync"/>). The content is always durable
    /// before the name is published, so a crash leaves the previous version or the new one, never a torn one. Only for
    /// writes something else can replay after a crash (the ingest journal for study manifests). Default: a durable write.
    /// </summary>
    /// <exception cref="BlobConcurrencyException">The current version differs.</exception>
    Task<BlobETag> WriteIfMatchLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) =>
        WriteIfMatchAsync(key, content, expected, cancellationToken);

    /// <summary>
    /// Creates a small blob that must not exist yet, durable on return, for content that carries its own integrity check:
    /// the filesystem store writes it at its name directly (one durability round instead of a temporary file, a rename
    /// and two rounds), so a crash during the call may leave a partial blob there, which its reader must reject
    /// (grain-state records: <c>GrainStateRecordFrame</c>). Default: <see cref="WriteIfMatchAsync"/> with no expected version.
    /// </summary>
    /// <exception cref="BlobConcurrencyException">The blob exists.</exception>
    Task<BlobETag> CreateInPlaceAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        WriteIfMatchAsync(key, content, null, cancellationToken);

    /// <summary>
    /// <see cref="CreateInPlaceAsync"/> whose content and folder entry may become durable only with the next
    /// <see cref="FlushAsync"/> (or durable operation of this store) that starts after it returns, where
    /// <see cref="FlushCoversLazyWrites"/>: until then a crash may leave it missing or torn. For a first record its writer's
    /// caller makes durable with data of its own in one round (a new patient's identity link and record, flushed with the
    /// ingest's journal intent). Default: <see cref="CreateInPlaceAsync"/>.
    /// </summary>
    /// <exception cref="BlobConcurrencyException">The blob exists.</exception>
    Task<BlobETag> CreateInPlaceLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        CreateInPlaceAsync(key, content, cancellationToken);

    /// <summary>
    /// Replaces a small blob unconditionally, durable on return, reusing its storage: on the filesystem the file is
    /// overwritten in place (no new file, no deletion), so a crash during the call may leave it torn. For records
    /// whose readers validate them and that are rewritten very often (ingest journal slots). Azure: a plain upload.
    /// </summary>
    Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="RewriteAsync"/> for content whose loss in a crash is harmless (an emptied journal slot): returns before
    /// it is durable; a later <see cref="FlushAsync"/> or durable write persists it. Stores without a cheaper way rewrite durably.
    /// </summary>
    Task RewriteLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        RewriteAsync(key, content, cancellationToken);

    /// <summary>Reads a small blob whole with its version, or <c>null</c> when it does not exist.</summary>
    Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a committed blob to another key (same store), replacing the destination; used to promote a
    /// staged upload to its final key once the header has been parsed. The destination is never visible
    /// half-written, and is durable (content and entry) when the call returns. Filesystem: atomic rename. Azure:
    /// server-side copy then delete of the source (so <see cref="WritesAtFinalName"/>).
    /// </summary>
    /// <exception cref="BlobNotFoundException">The source does not exist.</exception>
    Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="MoveAsync"/> whose durability may be deferred to the next durable operation of this store that starts
    /// after it returns (a write, a deletion, <see cref="FlushAsync"/>), so a caller that writes a durable record next
    /// waits once for both. Only for a destination that holds nothing acknowledged: until then a crash may leave it
    /// missing or torn. Default: a durable move.
    /// </summary>
    Task<BlobProperties> MoveLazilyAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        MoveAsync(source, destination, cancellationToken);

    /// <summary>Returns once every write, move and deletion this store returned from before the call is durable. Default: nothing to wait for.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Makes ready the folders that names beginning with <c>{folder}/</c> live in, in <paramref name="container"/>, ahead
    /// of the writes that would create them one by one. Default: nothing to make (a store without folders).
    /// </summary>
    Task PrepareFoldersAsync(string container, IReadOnlyList<string> folders, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// True when <see cref="FlushAsync"/> also makes durable what this store wrote without durability before it (a
    /// non-durable <see cref="WriteAsync"/>, <see cref="RewriteLazilyAsync"/>), so one flush can make several such writes
    /// durable together. Default true: a store without a cheaper way writes everything durably.
    /// </summary>
    bool FlushCoversLazyWrites => true;

    /// <summary>
    /// True when a writer that knows the final name before it writes should write there once
    /// (<see cref="WriteUnlessTakenAsync"/>) instead of staging and moving: where <see cref="MoveAsync"/> copies the data
    /// (Azure: a server-side copy, then the source's deletion), and where a non-durable write is persisted by the flush
    /// that follows it wherever it lies (the filesystem's shared rounds: the rename, its two lookups and the second
    /// folder entry are saved). False where only the durable move persists a staged upload (the filesystem's per-file
    /// durability). Default false.
    /// </summary>
    bool WritesAtFinalName => false;
}
