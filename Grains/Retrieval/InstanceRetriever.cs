using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Observability;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;

namespace Mirc.Grains.Retrieval;

/// <summary><see cref="IInstanceRetriever"/> over the study manifest and the blob store. Singleton, thread-safe.</summary>
public sealed class InstanceRetriever : IInstanceRetriever
{
    private readonly IGrainFactory _grains;
    private readonly IBlobStore _blobs;
    private readonly RetrievalOptions _options;

    /// <summary>Creates the retriever.</summary>
    public InstanceRetriever(IGrainFactory grains, IBlobStore blobs, IOptions<RetrievalOptions> options)
    {
        _grains = grains;
        _blobs = blobs;
        _options = options.Value;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InstanceEntry>> ResolveAsync(RetrievalScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _grains.Reference<IStudyGrain>(scope.StudyInstanceUid)
            .GetInstancesAsync(scope.SeriesInstanceUid, scope.SopInstanceUid)
            .WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RetrievedInstance> OpenAsync(IReadOnlyList<InstanceEntry> instances, int prefetch = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var window = prefetch > 0 ? prefetch : _options.Prefetch;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<Task<RetrievedInstance>>(window);
        var next = 0;
        try
        {
            while (next < instances.Count && inFlight.Count < window)
            {
                inFlight.Enqueue(FetchAsync(instances[next++], cts.Token));
            }

            while (inFlight.Count > 0)
            {
                var item = await inFlight.Dequeue().ConfigureAwait(false);
                if (next < instances.Count)
                {
                    inFlight.Enqueue(FetchAsync(instances[next++], cts.Token));
                }

                yield return item;
            }
        }
        finally
        {
            // Consumer stopped early or a fetch failed: release everything fetched ahead.
            await cts.CancelAsync().ConfigureAwait(false);
            while (inFlight.Count > 0)
            {
                try
                {
                    await (await inFlight.Dequeue().ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Cancelled or failed prefetch: nothing to release.
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenInstanceAsync(InstanceEntry instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        try
        {
            var stream = await _blobs.OpenReadAsync(KeyOf(instance), null, cancellationToken).ConfigureAwait(false);
            ArchiveMetrics.InstanceOpened(instance.Size);
            return stream;
        }
        catch (BlobNotFoundException ex)
        {
            ArchiveMetrics.StorageFailed("read");
            throw new InstanceNotFoundException($"Blob of instance {instance.SopInstanceUid} is missing: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RetrievedFrame>> ReadFramesAsync(InstanceEntry instance, IReadOnlyList<int> frameNumbers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(frameNumbers);
        var ranges = new IReadOnlyList<FrameFragment>[frameNumbers.Count];
        for (var i = 0; i < frameNumbers.Count; i++)
        {
            var n = frameNumbers[i];
            if (n < 1 || n > instance.Frames.FrameCount)
            {
                throw new InstanceNotFoundException($"Instance {instance.SopInstanceUid} has no frame {n} (it has {instance.Frames.FrameCount}).");
            }

            ranges[i] = instance.Frames.GetFrame(n);
        }

        var frames = new RetrievedFrame[frameNumbers.Count];
        var key = KeyOf(instance);
        await Parallel.ForAsync(0, frameNumbers.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.FrameParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var fragments = ranges[i];
            var bytes = new byte[fragments.Sum(f => f.Length)];
            var offset = 0;
            foreach (var fragment in fragments)
            {
                await ReadRangeAsync(key, instance, fragment, bytes.AsMemory(offset, (int)fragment.Length), ct).ConfigureAwait(false);
                offset += (int)fragment.Length;
            }

            frames[i] = new RetrievedFrame(frameNumbers[i], bytes);
        }).ConfigureAwait(false);
        return frames;
    }

    private async Task ReadRangeAsync(BlobKey key, InstanceEntry instance, FrameFragment range, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await _blobs.OpenReadAsync(key, new BlobRange(range.Offset, range.Length), cancellationToken).ConfigureAwait(false);
            await stream.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException ex)
        {
            throw new InstanceNotFoundException($"Blob of instance {instance.SopInstanceUid} is missing: {ex.Message}");
        }
    }

    private async Task<RetrievedInstance> FetchAsync(InstanceEntry instance, CancellationToken cancellationToken)
    {
        if (_blobs is ReplicatedBlobStore sites && instance.Size <= _options.BufferedInstanceLimit)
        {
            return await FetchVerifiedAsync(sites, instance, cancellationToken).ConfigureAwait(false);
        }

        var stream = await OpenInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
        // A local file needs no read-ahead: the page cache already holds it, and the consumer reads it straight
        // into its destination (one copy less than through a pooled buffer).
        if (stream is FileStream || instance.Size > _options.BufferedInstanceLimit)
        {
            return new RetrievedInstance(instance, stream);
        }

        await using (stream.ConfigureAwait(false))
        {
            var length = (int)instance.Size;
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            try
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                return new RetrievedInstance(instance, new PooledBufferStream(buffer, length));
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    /// <summary>
    /// Two sites: the copy is checked against the manifest's digest before a byte is sent, and read from the other site
    /// when it does not match (a corrupt or torn blob), when its site does not answer or lacks it.
    /// </summary>
    private static async Task<RetrievedInstance> FetchVerifiedAsync(ReplicatedBlobStore sites, InstanceEntry instance, CancellationToken cancellationToken)
    {
        var length = (int)instance.Size;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            await sites.ReadVerifiedAsync(KeyOf(instance), buffer.AsMemory(0, length), instance.Digest, cancellationToken).ConfigureAwait(false);
            ArchiveMetrics.InstanceOpened(instance.Size);
            return new RetrievedInstance(instance, new PooledBufferStream(buffer, length));
        }
        catch (BlobNotFoundException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArchiveMetrics.StorageFailed("read");
            throw new InstanceNotFoundException($"Blob of instance {instance.SopInstanceUid} is missing on both sites: {ex.Message}");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static BlobKey KeyOf(InstanceEntry instance) => new(instance.BlobContainer, instance.BlobName);
}
