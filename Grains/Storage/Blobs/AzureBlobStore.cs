using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Blob store on Azure Blob Storage (cluster mode). A blob up to one block (4 MiB) is written by one atomic Put Blob;
/// larger ones are staged as blocks (a few in parallel) and published by one Put Block List, after the SHA-256 check,
/// so a blob is never visible half-written. Containers are created on first write. ETags are Azure's.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _created = new(StringComparer.Ordinal);
    private readonly int _uploadConcurrency;

    /// <summary>Creates the store on a service client.</summary>
    /// <param name="service">Client of the storage account (connection string, or URI + credential).</param>
    /// <param name="uploadConcurrency">Blocks of one blob uploaded in parallel.</param>
    public AzureBlobStore(BlobServiceClient service, int uploadConcurrency = 4)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfLessThan(uploadConcurrency, 1);
        Service = service;
        _uploadConcurrency = uploadConcurrency;
    }

    /// <summary>The service client.</summary>
    public BlobServiceClient Service { get; }

    /// <inheritdoc />
    public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteCoreAsync(key, null, content, options, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A blob of one request is put on the condition that <paramref name="key"/> is free, and put at
    /// <paramref name="alternate"/> from the same buffer when it is not: no request of its own for the check. A larger
    /// one checks first (one request beside its blocks).
    /// </remarks>
    public Task<BlobWriteResult> WriteUnlessTakenAsync(BlobKey key, BlobKey alternate, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        BlobKeyRules.Validate(alternate);
        return WriteCoreAsync(key, alternate, content, options, cancellationToken);
    }

    private async Task<BlobWriteResult> WriteCoreAsync(BlobKey key, BlobKey? alternate, Stream content, BlobWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        BlobKeyRules.Validate(key);
        var headers = options?.ContentType is { } type ? new BlobHttpHeaders { ContentType = type } : null;
        using var hasher = ContentDigest.CreateHasher(options?.ExpectedDigest);
        var first = ArrayPool<byte>.Shared.Rent(BlockSize);
        var firstOwned = true;
        try
        {
            var filled = await FillAsync(content, first, cancellationToken).ConfigureAwait(false);
            hasher.Append(first.AsSpan(0, filled));
            if (filled < BlockSize)
            {
                // Fits one request: Put Blob is atomic by itself.
                var hash = hasher.Finish();
                BlobHashMismatchException.ThrowIfUnexpected(key, options, hash);
                try
                {
                    return await PutAsync(key, alternate is null ? options?.Overwrite != false : false).ConfigureAwait(false);
                }
                catch (BlobConcurrencyException) when (alternate is { } taken)
                {
                    return await PutAsync(taken, options?.Overwrite != false).ConfigureAwait(false);
                }

                async Task<BlobWriteResult> PutAsync(BlobKey target, bool overwrite)
                {
                    var blob = await GetBlockBlobAsync(target, cancellationToken).ConfigureAwait(false);
                    using var body = new MemoryStream(first, 0, filled, writable: false);
                    var uploaded = await Translate(target, null, () => blob.UploadAsync(body, new BlobUploadOptions { Conditions = OverwriteConditions(overwrite), HttpHeaders = headers }, cancellationToken)).ConfigureAwait(false);
                    return new BlobWriteResult(target, filled, hash, ToBlobETag(uploaded.Value.ETag));
                }
            }

            // Blocks can only be committed where they were staged: the target is decided before the first one.
            var (final, overwriteFinal) = alternate is { } other && await TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) is not null
                ? (other, options?.Overwrite != false)
                : (key, alternate is null && options?.Overwrite != false);
            var staging = await GetBlockBlobAsync(final, cancellationToken).ConfigureAwait(false);
            firstOwned = false;
            var (length, blockIds) = await StageBlocksAsync(staging, content, first, filled, hasher, cancellationToken).ConfigureAwait(false);
            var digest = hasher.Finish();
            BlobHashMismatchException.ThrowIfUnexpected(final, options, digest);
            var committed = await Translate(final, null, () => staging.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Conditions = OverwriteConditions(overwriteFinal), HttpHeaders = headers }, cancellationToken)).ConfigureAwait(false);
            return new BlobWriteResult(final, length, digest, ToBlobETag(committed.Value.ETag));
        }
        finally
        {
            if (firstOwned)
            {
                ArrayPool<byte>.Shared.Return(first);
            }
        }
    }

    private static BlobRequestConditions? OverwriteConditions(bool overwrite) => overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };

    private async Task<BlockBlobClient> GetBlockBlobAsync(BlobKey key, CancellationToken cancellationToken) =>
        (await GetOrCreateContainerAsync(key.Container, cancellationToken).ConfigureAwait(false)).GetBlockBlobClient(key.Name);

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default)
    {
        var blob = GetBlob(key);
        if (range is { Length: 0 } || range is { Offset: < 0 } || range is { Length: < 0 })
        {
            var properties = await TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(key);
            if (range.Value.Offset < 0 || range.Value.Offset > properties.Length || range.Value.Length < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(range), $"Range {range.Value.Offset}+{range.Value.Length} is outside a blob of {properties.Length} bytes.");
            }

            return new MemoryStream([], writable: false);
        }

        var options = new BlobDownloadOptions { Range = range is { } r ? new HttpRange(r.Offset, r.Length) : default };
        try
        {
            var response = await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            return response.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(key, e);
        }
        catch (RequestFailedException e) when (e.Status == 416 && range is { } requested)
        {
            // Azure refuses a range starting at the end; an empty read there is valid, beyond it is not.
            var properties = await TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(key, e);
            if (requested.Offset == properties.Length)
            {
                return new MemoryStream([], writable: false);
            }

            throw new ArgumentOutOfRangeException(nameof(range), $"Range {requested.Offset}+{requested.Length} is outside a blob of {properties.Length} bytes.");
        }
    }

    /// <inheritdoc />
    public async Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        var blob = GetBlob(key);
        try
        {
            var response = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var p = response.Value;
            return new BlobProperties(key, p.ContentLength, ToBlobETag(p.ETag), p.LastModified);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var blob = GetBlob(key);
        var conditions = ifMatch is { } tag ? new BlobRequestConditions { IfMatch = new ETag(tag.Value) } : null;
        try
        {
            var response = await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.None, conditions, cancellationToken).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            var current = await TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
            throw new BlobConcurrencyException(key, ifMatch, current?.ETag, e);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobKeyRules.ValidateContainer(container);
        var client = Service.GetBlobContainerClient(container);
        var items = client.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    yield break;
                }

                var item = items.Current;
                var p = item.Properties;
                yield return new BlobProperties(
                    new BlobKey(container, item.Name),
                    p.ContentLength ?? 0,
                    p.ETag is { } listed ? ToBlobETag(listed) : new BlobETag(string.Empty),
                    p.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    /// <inheritdoc />
    public async Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
    {
        BlobKeyRules.Validate(key);
        var container = await GetOrCreateContainerAsync(key.Container, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(key.Name);
        var conditions = expected is { } tag
            ? new BlobRequestConditions { IfMatch = new ETag(tag.Value) }
            : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            var response = await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return ToBlobETag(response.Value.ETag);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && expected is not null && e.ErrorCode == BlobErrorCode.BlobNotFound))
        {
            // The client retries a request whose response was lost (connection reset, storage restart): when the first
            // attempt had succeeded, the retry meets its own write and fails its condition. The very bytes in place mean
            // the write landed; anything else is a real concurrent change.
            if (e.Status != 404 && await TryReadAllAsync(key, cancellationToken).ConfigureAwait(false) is { } current
                && current.Content.Span.SequenceEqual(content.Span))
            {
                return current.ETag;
            }

            throw new BlobConcurrencyException(key, expected, null, e);
        }
    }

    /// <inheritdoc />
    public async Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        BlobKeyRules.Validate(key);
        var container = await GetOrCreateContainerAsync(key.Container, cancellationToken).ConfigureAwait(false);
        await container.GetBlobClient(key.Name).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        var blob = GetBlob(key);
        try
        {
            var response = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new BlobContent(response.Value.Content.ToMemory(), ToBlobETag(response.Value.Details.ETag));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public bool WritesAtFinalName => true;

    /// <inheritdoc />
    public async Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default)
    {
        var from = GetBlob(source);
        BlobKeyRules.Validate(destination);
        var container = await GetOrCreateContainerAsync(destination.Container, cancellationToken).ConfigureAwait(false);
        var to = container.GetBlobClient(destination.Name);
        try
        {
            // Same-account copy is server-side and publishes the destination atomically.
            var copy = await to.StartCopyFromUriAsync(from.Uri, cancellationToken: cancellationToken).ConfigureAwait(false);
            await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(source, e);
        }

        // The source's deletion and the destination's properties are independent: one round trip for both.
        var deleted = from.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        var properties = TryGetPropertiesAsync(destination, cancellationToken);
        await Task.WhenAll(deleted, properties).ConfigureAwait(false);
        return await properties.ConfigureAwait(false) ?? throw new BlobNotFoundException(destination);
    }

    private async Task<(long Length, List<string> BlockIds)> StageBlocksAsync(
        BlockBlobClient blob, Stream content, byte[] first, int firstLength, ContentDigest.Hasher hasher, CancellationToken cancellationToken)
    {
        var writeId = Guid.NewGuid().ToString("N");
        var blockIds = new List<string>();
        var inFlight = new List<(Task Upload, byte[] Buffer)>();
        long length = 0;
        var buffer = first;
        var filled = firstLength;
        try
        {
            while (filled > 0)
            {
                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{writeId}-{blockIds.Count.ToString("D6", CultureInfo.InvariantCulture)}"));
                blockIds.Add(id);
                length += filled;
                inFlight.Add((blob.StageBlockAsync(id, new MemoryStream(buffer, 0, filled, writable: false), cancellationToken: cancellationToken), buffer));
                if (inFlight.Count >= _uploadConcurrency)
                {
                    await RetireOneAsync(inFlight).ConfigureAwait(false);
                }

                buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
                filled = await FillAsync(content, buffer, cancellationToken).ConfigureAwait(false);
                hasher.Append(buffer.AsSpan(0, filled));
            }

            ArrayPool<byte>.Shared.Return(buffer);
            await Task.WhenAll(inFlight.Select(f => f.Upload)).ConfigureAwait(false);
            return (length, blockIds);
        }
        finally
        {
            // Buffers of uploads still running when we fail are left to the GC rather than reused while read.
            foreach (var (upload, owned) in inFlight)
            {
                if (upload.IsCompleted)
                {
                    ArrayPool<byte>.Shared.Return(owned);
                }
            }
        }
    }

    private static async Task RetireOneAsync(List<(Task Upload, byte[] Buffer)> inFlight)
    {
        var done = await Task.WhenAny(inFlight.Select(f => f.Upload)).ConfigureAwait(false);
        var index = inFlight.FindIndex(f => f.Upload == done);
        var (upload, buffer) = inFlight[index];
        inFlight.RemoveAt(index);
        ArrayPool<byte>.Shared.Return(buffer);
        await upload.ConfigureAwait(false);
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < BlockSize)
        {
            var n = await content.ReadAsync(buffer.AsMemory(filled, BlockSize - filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    private static async Task<Response<T>> Translate<T>(BlobKey key, BlobETag? expected, Func<Task<Response<T>>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && expected is not null && e.ErrorCode == BlobErrorCode.BlobNotFound))
        {
            throw new BlobConcurrencyException(key, expected, null, e);
        }
    }

    // Responses carry the quoted header form, listings the bare value: always hand out the quoted form.
    private static BlobETag ToBlobETag(ETag etag)
    {
        var value = etag.ToString();
        return new BlobETag(value.StartsWith('"') ? value : $"\"{value}\"");
    }

    private BlobClient GetBlob(BlobKey key)
    {
        BlobKeyRules.Validate(key);
        return Service.GetBlobContainerClient(key.Container).GetBlobClient(key.Name);
    }

    private Task<BlobContainerClient> GetOrCreateContainerAsync(string name, CancellationToken cancellationToken)
    {
        var lazy = _created.GetOrAdd(name, n => new Lazy<Task<BlobContainerClient>>(() => CreateContainerAsync(n)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // Do not cache a failure (e.g. a transient network error): the next write retries.
            _created.TryRemove(new KeyValuePair<string, Lazy<Task<BlobContainerClient>>>(name, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<BlobContainerClient> CreateContainerAsync(string name)
    {
        var client = Service.GetBlobContainerClient(name);
        try
        {
            await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        }
        catch
        {
            _created.TryRemove(name, out _);
            throw;
        }

        return client;
    }
}
