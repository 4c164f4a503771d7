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
        private readonly Queue<(int Part, Task<IngestOutcome> Outcome, PartBuffer Buffer)> _inFlight = new();
        private long _bytesInFlight;

        /// <summary>Starts the ingest of a part held in <paramref name="buffer"/> (which it disposes once the part is ingested).</summary>
        public async Task StartAsync(int part, PartBuffer buffer, IngestRequest request, CancellationToken cancellationToken)
        {
            while (_inFlight.Count >= MaxPartsInFlight || (_inFlight.Count > 0 && _bytesInFlight + buffer.Length > MaxBytesInFlight))
            {
                await CompleteOldestAsync().ConfigureAwait(false);
            }

            _inFlight.Enqueue((part, IngestBufferAsync(buffer, request, cancellationToken), buffer));
            _bytesInFlight += buffer.Length;
        }

        /// <summary>Ingests a part streamed from the request (too large to buffer), after the parts before it.</summary>
        public async Task IngestStreamAsync(int part, PartBuffer prefix, Stream body, IngestRequest request, CancellationToken cancellationToken)
        {
            await DrainAsync().ConfigureAwait(false);
            await using var content = prefix.OpenRead(body);
            var outcome = await stow.Ingestor.IngestAsync(content, request, cancellationToken).ConfigureAwait(false);
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
                finally { item.Buffer.Dispose(); }
            }
        }

        private async Task<IngestOutcome> IngestBufferAsync(PartBuffer buffer, IngestRequest request, CancellationToken cancellationToken)
        {
            await Task.Yield(); // let the request loop go on reading the next part
            await using var content = buffer.OpenRead();
            return await stow.Ingestor.IngestAsync(content, request, cancellationToken).ConfigureAwait(false);
        }

        private async Task CompleteOldestAsync()
        {
            var (part, outcome, buffer) = _inFlight.Peek();
            try
            {
                Complete(part, await outcome.ConfigureAwait(false), buffer);
            }
            finally
            {
                _inFlight.Dequeue();
                _bytesInFlight -= buffer.Length;
                buffer.Dispose();
            }
        }

        private void Complete(int part, IngestOutcome outcome, PartBuffer received)
        {
            if (!outcome.IsSuccess && (outcome.SopClassUid is null || outcome.SopInstanceUid is null))
            {
                var (sopClass, sopInstance) = ReferencedUids.Read(received.ToArray());
                outcome = outcome with { SopClassUid = outcome.SopClassUid ?? sopClass, SopInstanceUid = outcome.SopInstanceUid ?? sopInstance };
            }
            Record(response, outcome, urls, part);
            if (!outcome.IsSuccess) LogPartFailed(stow.Logger, part, outcome.Status, outcome.Detail);
        }
    }
}
