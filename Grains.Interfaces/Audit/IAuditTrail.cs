namespace Mirc.Grains.Interfaces.Audit;

/// <summary>
/// The append-only, hash-chained audit trail (service registered by <c>AddMircSecurity</c> on every silo / host).
/// </summary>
public interface IAuditTrail
{
    /// <summary>Queues an event; returns at once (batched group commit in the background). Never blocks ingest.</summary>
    ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Completes when every event queued before the call is durably committed.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks the whole chain and names the first broken record.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>Records matching <paramref name="filter"/>, in chain order.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Writes matching records as JSON lines (one record per line) for the data-protection officer.</summary>
    Task<long> ExportJsonLinesAsync(Stream destination, AuditFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Who accessed the images of <paramref name="patientId"/> (queries, retrieves, emergency accesses).</summary>
    Task<IReadOnlyList<PatientAccessEntry>> GetPatientAccessReportAsync(string patientId, CancellationToken cancellationToken = default);
}
