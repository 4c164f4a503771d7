using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// <see cref="IAuditTrail"/> of a host: <see cref="RecordAsync"/> only enqueues (the <see cref="AuditTrailWriter"/>
/// group-commits batches to the chain grain); reads walk the persisted segments.
/// </summary>
public sealed class AuditTrail : IAuditTrail
{
    private readonly IGrainFactory _grains;
    private readonly Channel<AuditWorkItem> _queue;

    /// <summary>Creates the queue.</summary>
    public AuditTrail(IGrainFactory grains, IOptions<AuditOptions> options)
    {
        _grains = grains;
        _queue = Channel.CreateBounded<AuditWorkItem>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<AuditWorkItem> Reader => _queue.Reader;

    /// <inheritdoc />
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var item = new AuditWorkItem(auditEvent, null);
        return _queue.Writer.TryWrite(item) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(item, cancellationToken);
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new AuditWorkItem(null, flushed), cancellationToken).ConfigureAwait(false);
        await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var head = await Chain().GetHeadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var verifier = new AuditChainVerifier();
        await foreach (var record in ReadAsync(head, cancellationToken).ConfigureAwait(false))
        {
            if (!verifier.Accept(record))
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
        var head = await Chain().GetHeadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<AuditRecord>();
        await foreach (var record in ReadAsync(head, cancellationToken).ConfigureAwait(false))
        {
            if (filter.Matches(record))
            {
                result.Add(record);
                if (result.Count >= filter.Limit)
                {
                    break;
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<long> ExportJsonLinesAsync(Stream destination, AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(filter);
        var head = await Chain().GetHeadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        long written = 0;
        await foreach (var record in ReadAsync(head, cancellationToken).ConfigureAwait(false))
        {
            if (!filter.Matches(record))
            {
                continue;
            }

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

    private IAuditChainGrain Chain() => _grains.GetGrain<IAuditChainGrain>(IAuditChainGrain.SingletonKey);

    private async IAsyncEnumerable<AuditRecord> ReadAsync(
        AuditChainHead head,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (head.SegmentCount == 0)
        {
            yield break;
        }

        // Prefetch the next segment while the current one is consumed.
        var next = _grains.GetGrain<IAuditSegmentGrain>(0).GetRecordsAsync();
        for (long segment = 0; segment < head.SegmentCount; segment++)
        {
            var records = await next.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (segment + 1 < head.SegmentCount)
            {
                next = _grains.GetGrain<IAuditSegmentGrain>(segment + 1).GetRecordsAsync();
            }

            foreach (var record in records)
            {
                // Records appended after the head was read are left to the next reader.
                if (record.Sequence > head.LastSequence)
                {
                    yield break;
                }

                yield return record;
            }
        }
    }
}
