using Microsoft.AspNetCore.Http;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Api.Access;

/// <summary>
/// Records DICOMweb stores, queries and retrieves in the audit trail (who, what, when, from where, outcome), the same
/// facts the DIMSE services record. The trail is required: a composition without one does not start.
/// </summary>
public sealed class DicomWebAudit(IAuditTrail trail, TimeProvider time)
{
    /// <summary>Queues one event for <paramref name="context"/>'s caller.</summary>
    public ValueTask RecordAsync(
        HttpContext context, AuditAction action, AuditOutcome outcome, IReadOnlyList<string> studyUids, string detail, CancellationToken cancellationToken)
    {
        var caller = ApiCaller.From(context);
        return trail.RecordAsync(new AuditEvent
        {
            Timestamp = time.GetUtcNow(),
            Action = action,
            Outcome = outcome,
            ActorId = caller.Principal.FindFirst("sub")?.Value ?? caller.ProfessionalId,
            ActorRpps = caller.Principal.FindFirst(ApiCaller.ProfessionalIdClaim)?.Value,
            ActorEstablishmentId = caller.EstablishmentId,
            ActorRoles = caller.Roles.Count == 0 ? null : string.Join(',', caller.Roles),
            Source = caller.RemoteAddress is null ? "http" : "http " + caller.RemoteAddress,
            StudyUids = studyUids,
            Detail = detail,
        }, cancellationToken);
    }
}
