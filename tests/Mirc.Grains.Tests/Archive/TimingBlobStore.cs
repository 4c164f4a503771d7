using System.Collections.Concurrent;
using System.Diagnostics;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Tests.Archive;

/// <summary>Blob store decorator recording the latency of each durable operation, by kind (for stage breakdowns).</summary>
internal sealed class TimingBlobStore(IBlobStore inner) : IBlobStore
{
    public ConcurrentDictionary<string, ConcurrentQueue<double>> Latencies { get; } = new(StringComparer.Ordinal);

    /// <summary>Every timed operation with its start and end (<see cref="Stopwatch.GetTimestamp"/> units).</summary>
    public ConcurrentQueue<(string Kind, long Start, long End)> Operations { get; } = new();

    /// <summary>Raised once a rewrite in place (journal slots) is durable, with the content written.</summary>
    public event Action<BlobKey, ReadOnlyMemory<byte>>? Rewritten;

    private async Task<T> TimeAsync<T>(string kind, Func<Task<T>> operation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await operation();
        }
        finally
        {
            Latencies.GetOrAdd(kind, _ => new ConcurrentQueue<double>()).Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Operations.Enqueue((kind, started, Stopwatch.GetTimestamp()));
        }
    }

    private static string Kind(BlobKey key) => key.Name.StartsWith("journal/", StringComparison.Ordinal) ? "journal" : key.Container;

    public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        TimeAsync("write:" + Kind(key), () => inner.WriteAsync(key, content, options, cancellationToken));

    public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(key, range, cancellationToken);

    public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        inner.TryGetPropertiesAsync(key, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default) =>
        TimeAsync("delete:" + Kind(key), () => inner.DeleteAsync(key, ifMatch, cancellationToken));

    public IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(container, prefix, cancellationToken);

    public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        TimeAsync("small-write:" + Kind(key), async () =>
        {
            await inner.RewriteAsync(key, content, cancellationToken);
            Rewritten?.Invoke(key, content);
            return true;
        });

    public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default) =>
        TimeAsync("small-write:" + Kind(key), () => inner.WriteIfMatchAsync(key, content, expected, cancellationToken));

    public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default) =>
        inner.TryReadAllAsync(key, cancellationToken);

    public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default) =>
        TimeAsync("move", () => inner.MoveAsync(source, destination, cancellationToken));
}
