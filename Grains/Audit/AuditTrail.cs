using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Observability;

namespace Mirc.Grains.Audit;

/// <summary>
/// <see cref="IAuditTrail"/> of a host: <see cref="RecordAsync"/> queues the event and returns once the
/// <see cref="AuditTrailWriter"/> has group-committed it to the <see cref="IAuditStore"/>; reads go to the store's
/// indexes (patient, actor, establishment, time), only verification walks the whole chain.
/// </summary>
public sealed class AuditTrail : IAuditTrail
{
    private const int PageSize = 5_000;
    private readonly IAuditStore _store;
    private readonly Channel<AuditWorkItem> _queue;

    /// <summary>Creates the queue.</summary>
    public AuditTrail(IAuditStore store, IOptions<AuditOptions> options)
    {
        _store = store;
        _queue = Channel.CreateBounded<AuditWorkItem>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<AuditWorkItem> Reader => _queue.Reader;

    /// <summary>
    /// No more records once the writer stops: a later caller (a grain deactivating during shutdown) is refused at once
    /// instead of waiting for a commit that will never come — which held the host's shutdown until its timeout.
    /// </summary>
    internal void Close() => _queue.Writer.TryComplete();

    /// <inheritdoc />
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return new ValueTask(EnqueueAsync(auditEvent, cancellationToken));
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) => EnqueueAsync(null, cancellationToken);

    private async Task EnqueueAsync(AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        var submittedAt = Stopwatch.GetTimestamp();
        var item = new AuditWorkItem(auditEvent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(item))
        {
            try
            {
                await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException ex)
            {
                throw new AuditNotDurableException("the audit trail is stopped (the host is shutting down): nothing may be served unaudited", ex);
            }
        }

        // A caller that stops waiting does not withdraw the event: it is committed all the same.
        await item.Durable.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        ArchiveMetrics.AuditRecorded(submittedAt);
    }

    /// <inheritdoc />
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var head = await _store.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var verifier = new AuditChainVerifier();
        await foreach (var record in ReadAsync(new AuditFilter(), long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            // Records appended after the head was read are left to the next verification.
            if (record.Sequence > head.LastSequence || !verifier.Accept(record))
            {
                break;
            }
        }

        return verifier.Complete(head);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var result = new List<AuditRecord>();
        await foreach (var record in ReadAsync(filter, filter.Limit, cancellationToken).ConfigureAwait(false))
        {
            result.Add(record);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<long> ExportJsonLinesAsync(Stream destination, AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(filter);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        long written = 0;
        await foreach (var record in ReadAsync(filter, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            AuditRecordJson.WriteLine(buffer, record);
            written++;
            if (buffer.WrittenCount >= 60 * 1024)
            {
                await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PatientAccessEntry>> GetPatientAccessReportAsync(string patientId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        var records = await QueryAsync(
            new AuditFilter
            {
                PatientId = patientId,
                Actions = [AuditAction.Query, AuditAction.Retrieve, AuditAction.BreakTheGlass],
                Limit = int.MaxValue,
            },
            cancellationToken).ConfigureAwait(false);
        return records
            .Where(r => r.Event.Outcome == AuditOutcome.Success)
            .Select(r => new PatientAccessEntry(
                r.Event.Timestamp,
                r.Event.Action,
                r.Event.ActorRpps ?? r.Event.ActorId ?? "unknown",
                r.Event.ActorEstablishmentId,
                r.Event.StudyUids,
                r.Event.Action == AuditAction.BreakTheGlass || r.Event.RequiresReview))
            .ToArray();
    }

    /// <summary>Matching records in chain order, read from the store's indexes a page at a time (keyset on the sequence).</summary>
    private async IAsyncEnumerable<AuditRecord> ReadAsync(
        AuditFilter filter, long limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = 0L;
        var remaining = limit;
        while (remaining > 0)
        {
            var page = await _store.ReadAsync(filter, after, (int)Math.Min(PageSize, remaining), cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < Math.Min(PageSize, remaining))
            {
                yield break;
            }

            remaining -= page.Count;
            after = page[^1].Sequence;
        }
    }
}
