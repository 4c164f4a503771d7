using System.Collections.Concurrent;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Blob store decorator recording every small-blob write (grain state, journal) with its size, flushes and whole-blob reads.</summary>
internal sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
{
    public ConcurrentQueue<(BlobKey Key, int Bytes)> SmallWrites { get; } = new();

    /// <summary>The keys replaced with a lazily published new version (<see cref="WriteIfMatchLazilyAsync"/>), in call order.</summary>
    public ConcurrentQueue<BlobKey> LazyWrites { get; } = new();

    /// <summary>Every <see cref="TryReadAllAsync"/> (how grain state is read), in call order.</summary>
    public ConcurrentQueue<BlobKey> WholeReads { get; } = new();

    /// <summary>Small writes and flushes in call order: <c>write {key} {bytes}</c> or <c>flush</c>.</summary>
    public ConcurrentQueue<string> Operations { get; } = new();

    public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(key, content, options, cancellationToken);

    public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(key, range, cancellationToken);

    public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        inner.TryGetPropertiesAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, ifMatch, cancellationToken);

    public IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(container, prefix, cancellationToken);

    public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        Record(key, content.Length);
        return inner.RewriteAsync(key, content, cancellationToken);
    }

    public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
    {
        Record(key, content.Length);
        return inner.WriteIfMatchAsync(key, content, expected, cancellationToken);
    }

    public Task<BlobETag> WriteIfMatchLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
    {
        Record(key, content.Length);
        LazyWrites.Enqueue(key);
        return inner.WriteIfMatchLazilyAsync(key, content, expected, cancellationToken);
    }

    public Task<BlobProperties> MoveLazilyAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        inner.MoveLazilyAsync(source, destination, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Operations.Enqueue("flush");
        return inner.FlushAsync(cancellationToken);
    }

    private void Record(BlobKey key, int bytes)
    {
        SmallWrites.Enqueue((key, bytes));
        Operations.Enqueue($"write {key} {bytes}");
    }

    public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default)
    {
        WholeReads.Enqueue(key);
        return inner.TryReadAllAsync(key, cancellationToken);
    }

    public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        inner.MoveAsync(source, destination, cancellationToken);
}
