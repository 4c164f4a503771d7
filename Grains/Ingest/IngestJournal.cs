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
/// its last completion becomes reusable after a flush (what its intents would replay is then durable); the next batch
/// overwrites it, so under load a batch costs one write, not a write and an emptying. A slot left unused for the
/// <see cref="IngestOptions.JournalSlotReuseWindow"/> is emptied by a write that is not flushed itself (the next round
/// persists it). Whatever a slot still holds after a crash (or a failed ingest) tells the start-up reconciliation
/// which promoted blobs may lack registrations; re-checking an intent that had completed is harmless (reconciliation is
/// idempotent), and a slot torn by a crash held intents whose ingests had not been promoted yet or were complete.
/// </summary>
internal sealed partial class IngestJournal : IAsyncDisposable
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
    private readonly TimeSpan _reuseWindow;
    private readonly TimeProvider _clock;

    // Free slots, the most recently freed last (taken first). Those in _holding still hold completed intents, with
    // the time they were freed: the next batch overwrites them, or they are emptied once unused for the reuse window.
    private readonly List<int> _freeSlots = [];
    private readonly Dictionary<int, long> _holding = [];
    private int _slotCount;
    private List<(IngestJournalRecord Record, TaskCompletionSource<IngestJournalTicket> Done)> _pending = [];
    private bool _writing;
    private bool _emptying;

    // Stops the emptying of unused slots when the host stops: a timer-driven write after that would land in a data
    // folder the process no longer owns (a test deleting it saw the write re-create the folder it had just removed).
    private readonly CancellationTokenSource _stopping = new();
    private Task _emptyingLoop = Task.CompletedTask;

    /// <param name="blobs">Where slots are written.</param>
    /// <param name="layout">Gives the staging container.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="silo">The silo whose slots these are (named after it).</param>
    /// <param name="reuseWindow">How long a slot of completed intents waits to be reused before it is emptied (zero: emptied at once).</param>
    /// <param name="clock">Time of the reuse window.</param>
    public IngestJournal(IBlobStore blobs, InstanceBlobLayout layout, ILogger<IngestJournal>? logger = null, SiloAddress? silo = null, TimeSpan reuseWindow = default, TimeProvider? clock = null)
    {
        _slotPrefix = $"{Prefix}{IngestJournalSlotOwner.Tag(silo)}{Guid.NewGuid():N}-";
        _blobs = blobs;
        _container = layout.StagingContainer;
        _logger = logger;
        _reuseWindow = reuseWindow;
        _clock = clock ?? TimeProvider.System;
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

    /// <summary>Free slots, and how many of them still hold completed intents (for tests).</summary>
    internal (int Free, int Holding) SlotCounts
    {
        get
        {
            lock (_gate)
            {
                return (_freeSlots.Count, _holding.Count);
            }
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
            if (_freeSlots.Count == 0)
            {
                return _slotCount++;
            }

            var slot = _freeSlots[^1];
            _freeSlots.RemoveAt(_freeSlots.Count - 1);
            _holding.Remove(slot); // the batch's write replaces what it held
            return slot;
        }
    }

    private BlobKey SlotKey(int slot) => new(_container, $"{_slotPrefix}{slot:D4}.json");

    private async Task FreeSlotAsync(IngestJournalBatch batch)
    {
        try
        {
            // The completed ingests' manifest writes may be published lazily (IBlobStore.WriteIfMatchLazilyAsync): they
            // must be durable before the intents that would replay them are erased — by the emptying or the next batch.
            await _blobs.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (batch.Count > 0 && _reuseWindow > TimeSpan.Zero)
            {
                lock (_gate)
                {
                    _holding[batch.Slot] = _clock.GetTimestamp();
                    _freeSlots.Add(batch.Slot);
                    if (!_emptying && !_stopping.IsCancellationRequested)
                    {
                        _emptying = true;
                        _emptyingLoop = Task.Run(EmptyUnusedSlotsAsync, CancellationToken.None);
                    }
                }

                return;
            }

            await EmptyAsync(batch.Key).ConfigureAwait(false);
            lock (_gate)
            {
                _freeSlots.Add(batch.Slot);
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

    /// <summary>Empties the slots that held completed intents unused for the reuse window; ends when none is left.</summary>
    private async Task EmptyUnusedSlotsAsync()
    {
        while (true)
        {
            await Task.Delay(_reuseWindow, _clock, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            List<int> unused;
            lock (_gate)
            {
                unused = [.. _holding.Where(h => _clock.GetElapsedTime(h.Value) >= _reuseWindow).Select(h => h.Key)];
                foreach (var slot in unused)
                {
                    _holding.Remove(slot);
                    _freeSlots.Remove(slot);
                }

                // Stopped: the slots keep their completed intents, which the next start's reconciliation re-checks.
                if (_stopping.IsCancellationRequested || (unused.Count == 0 && _holding.Count == 0))
                {
                    _emptying = false;
                    return;
                }
            }

            foreach (var slot in unused)
            {
                var key = SlotKey(slot);
                try
                {
                    await EmptyAsync(key).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _freeSlots.Insert(0, slot); // empty: taken after the ones still holding intents
                    }
                }
                catch (Exception ex)
                {
                    if (_logger is not null)
                    {
                        LogFreeFailed(_logger, ex, key.ToString());
                    }
                }
            }
        }
    }

    /// <summary>True while the emptying of unused slots is scheduled (for tests).</summary>
    internal bool EmptyingScheduled
    {
        get
        {
            lock (_gate)
            {
                return _emptying;
            }
        }
    }

    /// <summary>Stops the emptying of unused slots (the host is stopping) and waits for a round under way to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
        {
            _stopping.Cancel();
            loop = _emptyingLoop;
        }

        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Not flushed itself: a crash that loses the emptying leaves completed intents, which reconciliation re-checks
    // idempotently. One flush round per batch instead of two, fewer rounds for the ingests waiting on them.
    private Task EmptyAsync(BlobKey key) => _blobs.RewriteLazilyAsync(key, EmptySlot, CancellationToken.None);

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

    /// <summary>Number of intents written in the slot (0 for a slot torn by a failed write).</summary>
    public int Count { get; } = count;

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
