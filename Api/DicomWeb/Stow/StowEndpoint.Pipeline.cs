using System.Buffers;
using Mirc.Grains.Ingest;

namespace Mirc.Api.DicomWeb.Stow;

public static partial class StowEndpoint
{
    /// <summary>Parts up to this size are read into a pooled buffer so their durable commit can overlap reading the next part.</summary>
    internal const int BufferedPartLimit = 8 * 1024 * 1024;

    /// <summary>
    /// Buffered parts whose ingest may run at once while the next part is read. A part's ingest is latency-bound (durable
    /// writes, grain round trips: a new study's are several), not CPU-bound, so a batch of small parts (radiographs, one
    /// study each) needs many in flight to go faster than one part after another.
    /// </summary>
    internal const int MaxPartsInFlight = 16;

    /// <summary>Bytes of buffered parts in flight at most (with <see cref="BufferedPartLimit"/>: bounded memory per request).</summary>
    internal const long MaxBytesInFlight = 32L * 1024 * 1024;

    /// <summary>
    /// Overlaps the ingest (hash, blob commit, fsync, manifest, index) of buffered parts with reading the following
    /// parts, at most <see cref="MaxPartsInFlight"/> at a time; outcomes are recorded in part order.
    /// </summary>
    private sealed class IngestPipeline(StowServices stow, StoreResponse response, DicomWebUrls urls) : IAsyncDisposable
    {
        private readonly Queue<(int Part, Task<IngestOutcome> Outcome, byte[] Buffer, int Length)> _inFlight = new();
        private long _bytesInFlight;

        /// <summary>Starts the ingest of a part held in <paramref name="buffer"/> (rented; returned to the pool once ingested).</summary>
        public async Task StartAsync(int part, byte[] buffer, int length, IngestRequest request, CancellationToken cancellationToken)
        {
            while (_inFlight.Count >= MaxPartsInFlight || (_inFlight.Count > 0 && _bytesInFlight + length > MaxBytesInFlight))
            {
                await CompleteOldestAsync().ConfigureAwait(false);
            }

            _inFlight.Enqueue((part, IngestBufferAsync(buffer, length, request, cancellationToken), buffer, length));
            _bytesInFlight += length;
        }

        /// <summary>Ingests a part streamed from the request (too large to buffer), after the parts before it.</summary>
        public async Task IngestStreamAsync(int part, ReadOnlyMemory<byte> prefix, Stream body, IngestRequest request, CancellationToken cancellationToken)
        {
            await DrainAsync().ConfigureAwait(false);
            var outcome = await stow.Ingestor.IngestAsync(body, request, cancellationToken).ConfigureAwait(false);
            Complete(part, outcome, prefix);
        }

        /// <summary>Records every part still in flight.</summary>
        public async Task DrainAsync()
        {
            while (_inFlight.Count > 0) await CompleteOldestAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            // Only after an exception: let the remaining ingests finish before their buffers go back to the pool.
            while (_inFlight.TryDequeue(out var item))
            {
                try { await item.Outcome.ConfigureAwait(false); }
                catch (Exception) { /* the request already failed with the first exception */ }
                finally { ArrayPool<byte>.Shared.Return(item.Buffer); }
            }
        }

        private async Task<IngestOutcome> IngestBufferAsync(byte[] buffer, int length, IngestRequest request, CancellationToken cancellationToken)
        {
            await Task.Yield(); // let the request loop go on reading the next part
            using var content = new MemoryStream(buffer, 0, length, writable: false);
            return await stow.Ingestor.IngestAsync(content, request, cancellationToken).ConfigureAwait(false);
        }

        private async Task CompleteOldestAsync()
        {
            var (part, outcome, buffer, length) = _inFlight.Peek();
            try
            {
                Complete(part, await outcome.ConfigureAwait(false), buffer.AsMemory(0, length));
            }
            finally
            {
                _inFlight.Dequeue();
                _bytesInFlight -= length;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void Complete(int part, IngestOutcome outcome, ReadOnlyMemory<byte> received)
        {
            if (!outcome.IsSuccess && (outcome.SopClassUid is null || outcome.SopInstanceUid is null))
            {
                var (sopClass, sopInstance) = ReferencedUids.Read(received);
                outcome = outcome with { SopClassUid = outcome.SopClassUid ?? sopClass, SopInstanceUid = outcome.SopInstanceUid ?? sopInstance };
            }
            Record(response, outcome, urls, part);
            if (!outcome.IsSuccess) LogPartFailed(stow.Logger, part, outcome.Status, outcome.Detail);
        }
    }

    /// <summary>
    /// Reads a part into a rented buffer. Complete: the whole part is in <c>Buffer[..Length]</c>. Not complete: the part is
    /// larger than <see cref="BufferedPartLimit"/> and the buffer holds its first <c>Length</c> bytes.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length, bool Complete)> ReadPartPrefixAsync(Stream body, long? lengthHint,
        CancellationToken cancellationToken)
    {
        var size = lengthHint is > 0 and <= BufferedPartLimit ? (int)lengthHint.Value + 1 : 1024 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= BufferedPartLimit) return (buffer, length, false);
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, BufferedPartLimit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) return (buffer, length, true);
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
