using System.Collections.Concurrent;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>An <see cref="IAuditTrail"/> that keeps recorded events in memory (only flushed ones count as durable).</summary>
public sealed class RecordingAuditTrail : IAuditTrail
{
    private readonly ConcurrentQueue<AuditEvent> _queued = new();
    private readonly ConcurrentQueue<AuditEvent> _durable = new();

    public IReadOnlyCollection<AuditEvent> Durable => _durable;

    /// <summary>When set, events it matches are refused as a failing audit store would (not durable).</summary>
    public Func<AuditEvent, bool>? Refuse { get; set; }

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        if (Refuse?.Invoke(auditEvent) == true)
        {
            throw new Mirc.Grains.Audit.AuditNotDurableException("the audit store refused the record (test)");
        }

        _queued.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }

    /// <summary>Every event recorded, durable or still queued.</summary>
    public IEnumerable<AuditEvent> Recorded => _durable.Concat(_queued);

    /// <summary>When set, runs after each flush made the queued events durable (e.g. to fail as a crash right after it would).</summary>
    public Action? AfterFlush { get; set; }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_queued.TryDequeue(out var e))
        {
            _durable.Enqueue(e);
        }

        AfterFlush?.Invoke();
        return Task.CompletedTask;
    }

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        IReadOnlyList<AuditRecord> matching = _durable
            .Select((e, i) => new AuditRecord { Sequence = i, Event = e, PreviousHash = string.Empty, Hash = string.Empty })
            .Where(filter.Matches)
            .Take(filter.Limit)
            .ToArray();
        return Task.FromResult(matching);
    }

    public Task<long> ExportJsonLinesAsync(Stream destination, AuditFilter filter, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<PatientAccessEntry>> GetPatientAccessReportAsync(string patientId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
