using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Authentication;

/// <summary>
/// Audit trail over HTTP (under <c>/api/security/audit</c>): chain verification, search, JSON-lines export and the
/// patient report. Platform administrators and DPOs see everything; establishment administrators their establishment.
/// </summary>
public static class AuditEndpoints
{
    /// <summary>Maps the audit endpoints.</summary>
    public static IEndpointRouteBuilder MapMircAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/security/audit").WithTags("Audit").RequireAuthorization(MircPolicies.AuditReader);

        group.MapGet("/verify", async (HttpContext context, IAuditTrail audit, IAccessControl access, TimeProvider time, CancellationToken ct) =>
        {
            if (!Allowed(context, access, null, out var principal))
            {
                return Results.Forbid();
            }

            var result = await audit.VerifyAsync(ct).ConfigureAwait(false);
            await RecordAccessAsync(audit, principal, context, time, $"chain verified: intact={result.IsIntact}", ct).ConfigureAwait(false);
            return Results.Ok(result);
        }).WithSummary("Verify the hash chain of the audit trail (first broken record, if any)");

        group.MapGet("/records", async (HttpContext context, IAuditTrail audit, IAccessControl access, TimeProvider time,
            string? patientId, string? actorId, DateTimeOffset? from, DateTimeOffset? to, bool? review, int? limit, CancellationToken ct) =>
        {
            var filter = Filter(context, access, patientId, actorId, from, to, review, limit, out var principal);
            if (filter is null)
            {
                return Results.Forbid();
            }

            var records = await audit.QueryAsync(filter, ct).ConfigureAwait(false);
            await RecordAccessAsync(audit, principal, context, time, $"searched: {records.Count} records", ct, patientId).ConfigureAwait(false);
            return Results.Ok(records);
        }).WithSummary("Search audit records (patient, actor, period, review flag)");

        group.MapGet("/export", async (HttpContext context, IAuditTrail audit, IAccessControl access, TimeProvider time,
            string? patientId, string? actorId, DateTimeOffset? from, DateTimeOffset? to, bool? review, CancellationToken ct) =>
        {
            var filter = Filter(context, access, patientId, actorId, from, to, review, int.MaxValue, out var principal);
            if (filter is null)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            context.Response.ContentType = "application/x-ndjson";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"mirc-audit.jsonl\"";
            var count = await audit.ExportJsonLinesAsync(context.Response.Body, filter, ct).ConfigureAwait(false);
            await RecordAccessAsync(audit, principal, context, time, $"exported {count} records", ct, patientId).ConfigureAwait(false);
        }).WithSummary("Export audit records as JSON lines (for the data-protection officer)");

        group.MapGet("/patients/{patientId}/accesses", async (HttpContext context, IAuditTrail audit, IAccessControl access, TimeProvider time, string patientId, CancellationToken ct) =>
        {
            if (!Allowed(context, access, null, out var principal))
            {
                return Results.Forbid();
            }

            var report = await audit.GetPatientAccessReportAsync(patientId, ct).ConfigureAwait(false);
            await RecordAccessAsync(audit, principal, context, time, "patient access report", ct, patientId).ConfigureAwait(false);
            return Results.Ok(report);
        }).WithSummary("Who accessed a patient's images (from the audit trail)");

        return endpoints;
    }

    private static AuditFilter? Filter(HttpContext context, IAccessControl access, string? patientId, string? actorId,
        DateTimeOffset? from, DateTimeOffset? to, bool? review, int? limit, out ProfessionalPrincipal principal)
    {
        // Platform-wide readers get everything; establishment administrators are pinned to their own establishment.
        principal = context.GetProfessionalPrincipal()!;
        string? establishment = null;
        if (!Allowed(context, access, null, out _))
        {
            establishment = principal.EstablishmentId;
            if (!Allowed(context, access, establishment, out _))
            {
                return null;
            }
        }

        return new AuditFilter
        {
            PatientId = patientId,
            ActorId = actorId,
            From = from,
            To = to,
            OnlyRequiringReview = review ?? false,
            ActorEstablishmentId = establishment,
            Limit = Math.Clamp(limit ?? 1000, 1, int.MaxValue),
        };
    }

    private static bool Allowed(HttpContext context, IAccessControl access, string? establishmentId, out ProfessionalPrincipal principal)
    {
        principal = context.GetProfessionalPrincipal()!;
        return principal is not null && access.Authorize(principal, AccessAction.ReadAudit, establishmentId).IsAllowed;
    }

    private static async Task RecordAccessAsync(IAuditTrail audit, ProfessionalPrincipal principal, HttpContext context, TimeProvider time, string detail, CancellationToken ct, string? patientId = null) =>
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.AuditAccess, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), patientId, detail: detail), ct).ConfigureAwait(false);
}
