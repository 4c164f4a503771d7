using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Api.Access;

/// <summary>
/// Records DICOMweb stores, queries and retrieves in the audit trail (who, what, when, from where, outcome), the same
/// facts the DIMSE services record. The trail is optional: without the security services nothing is recorded.
/// Recording only queues the event (the trail group-commits in the background), so requests are not slowed.
/// </summary>
public sealed class DicomWebAudit(IServiceProvider services, TimeProvider time)
{
    private readonly IAuditTrail? _trail = services.GetService<IAuditTrail>();

    /// <summary>Queues one event for <paramref name="context"/>'s caller.</summary>
    public ValueTask RecordAsync(
        HttpContext context, AuditAction action, AuditOutcome outcome, IReadOnlyList<string> studyUids, string detail, CancellationToken cancellationToken)
    {
        if (_trail is null) return ValueTask.CompletedTask;
        var caller = ApiCaller.From(context);
        return _trail.RecordAsync(new AuditEvent
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
