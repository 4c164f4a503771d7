using System.Collections.Concurrent;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Tests.Archive;

/// <summary>An <see cref="IAuditTrail"/> that keeps recorded events in memory (only flushed ones count as durable).</summary>
public sealed class RecordingAuditTrail : IAuditTrail
{
    private readonly ConcurrentQueue<AuditEvent> _queued = new();
    private readonly ConcurrentQueue<AuditEvent> _durable = new();

    public IReadOnlyCollection<AuditEvent> Durable => _durable;

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        _queued.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_queued.TryDequeue(out var e))
        {
            _durable.Enqueue(e);
        }

        return Task.CompletedTask;
    }

    public Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<long> ExportJsonLinesAsync(Stream destination, AuditFilter filter, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<PatientAccessEntry>> GetPatientAccessReportAsync(string patientId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
