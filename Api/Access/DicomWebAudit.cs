using Microsoft.AspNetCore.Http;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Api.Access;

/// <summary>
/// Records DICOMweb stores, queries and retrieves in the audit trail (who, what, when, from where, outcome), the same
/// facts the DIMSE services record. Recording returns once the record is durable: endpoints record before they write a
/// response body, so nothing is served unaudited. The trail is required: a composition without one does not start.
/// </summary>
public sealed class DicomWebAudit(IAuditTrail trail, TimeProvider time)
{
    /// <summary>Records one event for <paramref name="context"/>'s caller (the trail names the studies' patient).</summary>
    public ValueTask RecordAsync(
        HttpContext context, AuditAction action, AuditOutcome outcome, IReadOnlyList<string> studyUids, string detail, CancellationToken cancellationToken,
        bool requiresReview = false) =>
        trail.RecordAsync(Event(context, action, outcome, null, studyUids, detail, requiresReview), cancellationToken);

    /// <summary>Records one event per patient group (sharing one commit); one event without patient when there is no group.</summary>
    public Task RecordAsync(
        HttpContext context, AuditAction action, AuditOutcome outcome, IReadOnlyList<PatientAccessGroup> groups, string detail, CancellationToken cancellationToken) =>
        PatientAccessGroup.RecordAsync(trail, groups, g => Event(context, action, outcome, g.PatientId, g.StudyUids, detail, g.RequiresReview), cancellationToken);

    private AuditEvent Event(
        HttpContext context, AuditAction action, AuditOutcome outcome, string? patientId, IReadOnlyList<string> studyUids, string detail, bool requiresReview)
    {
        var caller = ApiCaller.From(context);
        return new AuditEvent
        {
            Timestamp = time.GetUtcNow(),
            Action = action,
            Outcome = outcome,
            ActorId = caller.Principal.FindFirst("sub")?.Value ?? caller.ProfessionalId,
            ActorRpps = caller.Principal.FindFirst(ApiCaller.ProfessionalIdClaim)?.Value,
            ActorEstablishmentId = caller.EstablishmentId,
            ActorRoles = caller.Roles.Count == 0 ? null : string.Join(',', caller.Roles),
            Source = caller.RemoteAddress is null ? "http" : "http " + caller.RemoteAddress,
            PatientId = patientId,
            StudyUids = studyUids,
            Detail = detail,
            RequiresReview = requiresReview,
        };
    }
}
