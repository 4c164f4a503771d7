using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Write-ahead intent records of in-flight ingests (small blobs under <c>journal/</c> in the staging container).
/// An intent is durable before a staged blob is promoted to its final key (made durable by the same flush round as the
/// staged data, <see cref="WriteBeforeFlushAsync"/>); once manifest, patient and index are
/// written (the manifest possibly published lazily) the ingest completes its ticket, and the slot is emptied only after a
/// flush that makes those writes durable. Concurrent intents are group-committed: one slot blob holds a batch.
/// Slots are reused (rewritten in place, <see cref="IBlobStore.RewriteAsync"/>) rather than created and deleted per
/// batch: on a busy archive a file creation and deletion per batch costs more than the write itself. A slot freed by
/// its last completion is emptied in the background, after a flush, by a write that is not flushed itself (the next
/// round persists it). Whatever a slot still holds after a crash (or a failed ingest) tells the start-up reconciliation
/// which promoted blobs may lack registrations; re-checking an intent that had completed is harmless (reconciliation is
/// idempotent), and a slot torn by a crash held intents whose ingests had not been promoted yet or were complete.
/// </summary>
internal sealed partial class IngestJournal
{
    private const string Prefix = "journal/";
    private static readonly byte[] EmptySlot = "[]"u8.ToArray();
    private readonly IBlobStore _blobs;
    private readonly string _container;
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();

    // Slot names carry this journal's own prefix: reconciliation never touches the slots of the running silo. In a
    // cluster the prefix also names the silo (IngestJournalSlotOwner), so the survivors reconcile a dead silo's slots at
    // once and leave a live silo's alone, whatever their age.
    private readonly string _slotPrefix;
    private readonly Stack<int> _freeSlots = new();
    private int _slotCount;
    private List<(IngestJournalRecord Record, TaskCompletionSource<IngestJournalTicket> Done)> _pending = [];
    private bool _writing;

    public IngestJournal(IBlobStore blobs, InstanceBlobLayout layout, ILogger<IngestJournal>? logger = null, SiloAddress? silo = null)
    {
        _slotPrefix = $"{Prefix}{IngestJournalSlotOwner.Tag(silo)}{Guid.NewGuid():N}-";
        _blobs = blobs;
        _container = layout.StagingContainer;
        _logger = logger;
    }

    /// <summary>Makes the intent durable (batched with concurrent ones); complete the returned ticket when done.</summary>
    public async Task<IngestJournalTicket> WriteAsync(IngestJournalRecord record, CancellationToken cancellationToken)
    {
        var ticket = await WriteBeforeFlushAsync(record, cancellationToken).ConfigureAwait(false);
        if (WritesLazily)
        {
            await _blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return ticket;
    }

    /// <summary>
    /// Writes the intent (batched with concurrent ones) and returns before it is durable where the blob store can make it
    /// durable later with other writes: it is once a <see cref="IBlobStore.FlushAsync"/> begun after the return completes.
    /// An ingest's one flush round so covers its intent and its staged data together. Elsewhere durable on return.
    /// </summary>
    public Task<IngestJournalTicket> WriteBeforeFlushAsync(IngestJournalRecord record, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<IngestJournalTicket>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((record, done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(FlushLoopAsync, CancellationToken.None);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Marks an intent done (again: nothing more); the batch's slot is emptied (in the background) and reused when its
    /// last intent is done.
    /// </summary>
    public void Complete(IngestJournalTicket ticket)
    {
        if (ticket.TryClose() && ticket.Batch.Release())
        {
            _ = FreeSlotAsync(ticket.Batch);
        }
    }

    // Where a flush covers lazy writes, a slot is written without a flush of its own: the writer's flush persists it.
    private bool WritesLazily => _blobs.FlushCoversLazyWrites;

    /// <summary>True for the slots of this journal (the running silo), which reconciliation must leave alone.</summary>
    public bool IsOwn(BlobKey key) => key.Container == _container && key.Name.StartsWith(_slotPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Journal batches of other writers that <paramref name="isAbandoned"/> says are over (their silo is dead, or they
    /// were last written too long ago), with their intents (empty when unreadable).
    /// </summary>
    public async IAsyncEnumerable<(BlobKey Key, IReadOnlyList<IngestJournalRecord> Records)> ListAsync(Func<BlobProperties, bool> isAbandoned, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in _blobs.ListAsync(_container, Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (IsOwn(blob.Key) || !isAbandoned(blob))
            {
                continue;
            }

            var content = await _blobs.TryReadAllAsync(blob.Key, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                continue;
            }

            IngestJournalRecord[]? records;
            try
            {
                records = JsonSerializer.Deserialize(content.Content.Span, IngestJournalJson.Default.IngestJournalRecordArray);
            }
            catch (JsonException)
            {
                records = null;
            }

            yield return (blob.Key, records ?? []);
        }
    }

    /// <summary>Deletes a journal batch (after reconciliation), once the registrations it replayed are durable.</summary>
    public async Task DeleteAsync(BlobKey key, CancellationToken cancellationToken)
    {
        await _blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _blobs.DeleteAsync(key, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<(IngestJournalRecord Record, TaskCompletionSource<IngestJournalTicket> Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _pending;
                _pending = [];
            }

            var slot = TakeSlot();
            var key = SlotKey(slot);
            try
            {
                var payload = JsonSerializer.SerializeToUtf8Bytes(batch.Select(b => b.Record).ToArray(), IngestJournalJson.Default.IngestJournalRecordArray);
                await (WritesLazily
                    ? _blobs.RewriteLazilyAsync(key, payload, CancellationToken.None)
                    : _blobs.RewriteAsync(key, payload, CancellationToken.None)).ConfigureAwait(false);
                var written = new IngestJournalBatch(key, slot, batch.Count);
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult(new IngestJournalTicket(written));
                }
            }
            catch (Exception ex)
            {
                // The slot may be torn: empty it before reuse.
                _ = FreeSlotAsync(new IngestJournalBatch(key, slot, 0));
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }

    private int TakeSlot()
    {
        lock (_gate)
        {
            return _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotCount++;
        }
    }

    private BlobKey SlotKey(int slot) => new(_container, $"{_slotPrefix}{slot:D4}.json");

    private async Task FreeSlotAsync(IngestJournalBatch batch)
    {
        try
        {
            // The completed ingests' manifest writes may be published lazily (IBlobStore.WriteIfMatchLazilyAsync): they
            // must be durable before the intents that would replay them are erased.
            await _blobs.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            // Not flushed itself: a crash that loses the emptying leaves completed intents, which reconciliation re-checks
            // idempotently. One flush round per batch instead of two, fewer rounds for the ingests waiting on them.
            await _blobs.RewriteLazilyAsync(batch.Key, EmptySlot, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _freeSlots.Push(batch.Slot);
            }
        }
        catch (Exception ex)
        {
            // The slot is not reused (a new one replaces it); reconciliation re-checks its intents idempotently.
            if (_logger is not null)
            {
                LogFreeFailed(_logger, ex, batch.Key.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not empty ingest journal slot {Key}")]
    private static partial void LogFreeFailed(ILogger logger, Exception exception, string key);
}

/// <summary>A journal slot holding a batch of intents, with the count of intents not yet completed.</summary>
internal sealed class IngestJournalBatch(BlobKey key, int slot, int count)
{
    private int _remaining = count;

    public BlobKey Key { get; } = key;

    /// <summary>Index of the slot (reused once the batch is done).</summary>
    public int Slot { get; } = slot;

    /// <summary>Releases one intent; true when it was the last.</summary>
    public bool Release() => Interlocked.Decrement(ref _remaining) == 0;
}

/// <summary>
/// One intent of a batch, written (see <see cref="IngestJournal.WriteBeforeFlushAsync"/>); pass it to
/// <see cref="IngestJournal.Complete"/> once the ingest is fully durable or over.
/// </summary>
internal sealed class IngestJournalTicket(IngestJournalBatch batch)
{
    private int _closed;

    public IngestJournalBatch Batch { get; } = batch;

    /// <summary>True the first time only: an intent counts once in its batch, however many paths complete it.</summary>
    public bool TryClose() => Interlocked.Exchange(ref _closed, 1) == 0;
}
