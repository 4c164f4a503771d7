using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Write-ahead intent records of in-flight ingests (small blobs under <c>journal/</c> in the staging container).
/// An intent is durable before a staged blob is promoted to its final key; once manifest, patient and index are
/// durable the ingest completes its ticket. Concurrent intents are group-committed: one blob holds a batch, and it
/// is deleted when every ingest of the batch has completed. Whatever remains after a crash (or a failed ingest)
/// tells the start-up reconciliation exactly which promoted blobs may lack registrations.
/// </summary>
internal sealed partial class IngestJournal
{
    private const string Prefix = "journal/";
    private readonly IBlobStore _blobs;
    private readonly string _container;
    private readonly ILogger? _logger;
    private readonly Lock _gate = new();
    private List<(IngestJournalRecord Record, TaskCompletionSource<IngestJournalTicket> Done)> _pending = [];
    private bool _writing;

    public IngestJournal(IBlobStore blobs, InstanceBlobLayout layout, ILogger<IngestJournal>? logger = null)
    {
        _blobs = blobs;
        _container = layout.StagingContainer;
        _logger = logger;
    }

    /// <summary>Makes the intent durable (batched with concurrent ones); complete the returned ticket when done.</summary>
    public Task<IngestJournalTicket> WriteAsync(IngestJournalRecord record, CancellationToken cancellationToken)
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

    /// <summary>Marks an intent done; the batch blob is deleted (in the background) when its last intent is done.</summary>
    public void Complete(IngestJournalTicket ticket)
    {
        if (ticket.Batch.Release())
        {
            _ = DeleteBatchAsync(ticket.Batch.Key);
        }
    }

    /// <summary>Journal batches last written before <paramref name="olderThan"/>, with their intents (empty when unreadable).</summary>
    public async IAsyncEnumerable<(BlobKey Key, IReadOnlyList<IngestJournalRecord> Records)> ListAsync(DateTimeOffset olderThan, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in _blobs.ListAsync(_container, Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.LastModified > olderThan)
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

    /// <summary>Deletes a journal batch (after reconciliation).</summary>
    public Task DeleteAsync(BlobKey key, CancellationToken cancellationToken) => _blobs.DeleteAsync(key, null, cancellationToken);

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

            var key = new BlobKey(_container, $"{Prefix}{Guid.NewGuid():N}.json");
            try
            {
                var payload = JsonSerializer.SerializeToUtf8Bytes(batch.Select(b => b.Record).ToArray(), IngestJournalJson.Default.IngestJournalRecordArray);
                await _blobs.WriteIfMatchAsync(key, payload, null, CancellationToken.None).ConfigureAwait(false);
                var ticket = new IngestJournalTicket(new IngestJournalBatch(key, batch.Count));
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult(ticket);
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }

    private async Task DeleteBatchAsync(BlobKey key)
    {
        try
        {
            await _blobs.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Harmless: reconciliation re-checks the batch (idempotently) and deletes it.
            if (_logger is not null)
            {
                LogDeleteFailed(_logger, ex, key.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete ingest journal batch {Key}")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string key);
}

/// <summary>A journal blob holding a batch of intents, with the count of intents not yet completed.</summary>
internal sealed class IngestJournalBatch(BlobKey key, int count)
{
    private int _remaining = count;

    public BlobKey Key { get; } = key;

    /// <summary>Releases one intent; true when it was the last.</summary>
    public bool Release() => Interlocked.Decrement(ref _remaining) == 0;
}

/// <summary>Proof that an intent is durable; pass it to <see cref="IngestJournal.Complete"/> once the ingest is fully durable.</summary>
internal sealed record IngestJournalTicket(IngestJournalBatch Batch);
