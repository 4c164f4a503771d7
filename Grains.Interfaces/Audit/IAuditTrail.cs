namespace Mirc.Grains.Interfaces.Audit;

/// <summary>
/// The append-only, hash-chained audit trail (service registered by <c>AddMircSecurity</c> on every silo / host).
/// </summary>
public interface IAuditTrail
{
    /// <summary>
    /// Records an event; returns once it is durably committed (concurrent records share one group commit), so a caller
    /// that records before responding never serves data whose access record a crash could lose. Throws when the record
    /// cannot be committed: the caller must then fail its operation.
    /// </summary>
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
