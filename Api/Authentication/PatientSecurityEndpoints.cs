using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Authentication;

/// <summary>
/// Patient-centred security endpoints under <c>/api/patients/{patientId}</c>: consent (read, change with a reason,
/// history), care-relationship declaration, break-the-glass, and the "who accessed my images" report. The grains
/// authorize and audit changes; reads are audited here.
/// </summary>
public static class PatientSecurityEndpoints
{
    /// <summary>Maps the endpoints (all require an authenticated principal; finer rules per endpoint).</summary>
    public static IEndpointRouteBuilder MapMircPatientSecurityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/patients/{patientId}").WithTags("Consent and care").RequireAuthorization(MircPolicies.Authenticated);

        group.MapGet("/consent", GetConsentAsync).WithName("GetConsent").WithSummary("Current consent of the patient");
        group.MapGet("/consent/history", GetConsentHistoryAsync).WithName("GetConsentHistory").WithSummary("Every consent change, oldest first");
        group.MapPost("/consent", ChangeConsentAsync).WithName("ChangeConsent").WithSummary("Record a consent change (with reason) on behalf of the patient");
        group.MapPost("/care-relationship", DeclareCareAsync).WithName("DeclareCareRelationship").WithSummary("Declare a care relationship (with reason)");
        group.MapDelete("/care-relationship", EndCareAsync).WithName("EndCareRelationship").WithSummary("End the caller's care relationship");
        group.MapPost("/break-the-glass", BreakTheGlassAsync).WithName("BreakTheGlass").WithSummary("Emergency access (with reason), flagged for review");
        group.MapGet("/accesses", AccessReportAsync).WithName("PatientAccessReport").WithSummary("Who accessed the patient's images");
        return endpoints;
    }

    private static async Task<IResult> GetConsentAsync(HttpContext context, IGrainFactory grains, IAuditTrail audit, TimeProvider time, string patientId, CancellationToken ct)
    {
        if (!MayManageConsent(context, out var principal)) return Results.Forbid();
        var snapshot = await grains.GetGrain<IConsentGrain>(patientId).GetAsync().WaitAsync(ct).ConfigureAwait(false);
        await RecordReadAsync(audit, principal, context, time, patientId, "consent read", ct).ConfigureAwait(false);
        return Results.Ok(snapshot);
    }

    private static async Task<IResult> GetConsentHistoryAsync(HttpContext context, IGrainFactory grains, IAuditTrail audit, TimeProvider time, string patientId, CancellationToken ct)
    {
        if (!MayManageConsent(context, out var principal)) return Results.Forbid();
        var history = await grains.GetGrain<IConsentGrain>(patientId).GetHistoryAsync().WaitAsync(ct).ConfigureAwait(false);
        await RecordReadAsync(audit, principal, context, time, patientId, "consent history read", ct).ConfigureAwait(false);
        return Results.Ok(history);
    }

    private static async Task<IResult> ChangeConsentAsync(HttpContext context, IGrainFactory grains, string patientId, ConsentChangeBody body, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        if (!Enum.TryParse<ConsentChangeKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind)
            || char.IsDigit(body.Kind![0]) || string.IsNullOrWhiteSpace(body.Reason))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"kind must be one of {string.Join(", ", Enum.GetNames<ConsentChangeKind>())}, with a non-empty reason"] });
        }

        try
        {
            // The grain authorizes (roles allowed to manage consent) and audits, allowed or not.
            var snapshot = await grains.GetGrain<IConsentGrain>(patientId).ChangeAsync(principal, new ConsentChangeRequest
            {
                Kind = kind,
                EstablishmentId = body.EstablishmentId,
                Reason = body.Reason,
                Source = context.AuditSource(),
            }).WaitAsync(ct).ConfigureAwait(false);
            return Results.Ok(snapshot);
        }
        catch (UnauthorizedAccessException)
        {
            return Results.Forbid();
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["request"] = [ex.Message] });
        }
    }

    private static Task<IResult> DeclareCareAsync(HttpContext context, IGrainFactory grains, string patientId, ReasonBody body, CancellationToken ct) =>
        CareAsync(context, grains, body, (grain, principal, reason) => grain.DeclareAsync(principal, patientId, reason, context.AuditSource()), ct);

    private static Task<IResult> BreakTheGlassAsync(HttpContext context, IGrainFactory grains, string patientId, ReasonBody body, CancellationToken ct) =>
        CareAsync(context, grains, body, (grain, principal, reason) => grain.BreakTheGlassAsync(principal, patientId, reason, context.AuditSource()), ct);

    private static async Task<IResult> CareAsync(
        HttpContext context, IGrainFactory grains, ReasonBody body, Func<ICareRelationshipGrain, ProfessionalPrincipal, string, Task<CareRelationship>> act, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["a reason is required"] });
        }

        try
        {
            // The grain enforces the role rule, applies consent refusals of emergency access and audits.
            var relationship = await act(grains.GetGrain<ICareRelationshipGrain>(principal.ProfessionalId), principal, body.Reason)
                .WaitAsync(ct).ConfigureAwait(false);
            return Results.Ok(relationship);
        }
        catch (UnauthorizedAccessException)
        {
            return Results.Forbid();
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [ex.Message] });
        }
    }

    private static async Task<IResult> EndCareAsync(HttpContext context, IGrainFactory grains, string patientId, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        try
        {
            await grains.GetGrain<ICareRelationshipGrain>(principal.ProfessionalId).EndAsync(principal, patientId, context.AuditSource())
                .WaitAsync(ct).ConfigureAwait(false);
            return Results.NoContent();
        }
        catch (UnauthorizedAccessException)
        {
            return Results.Forbid();
        }
    }

    private static async Task<IResult> AccessReportAsync(HttpContext context, IAuditTrail audit, IAccessControl access, TimeProvider time, string patientId, CancellationToken ct)
    {
        // Given to the patient by the data-protection officer (or a platform administrator): the full trail of one patient.
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        if (!access.Authorize(principal, AccessAction.ReadAudit, null).IsAllowed) return Results.Forbid();
        var report = await audit.GetPatientAccessReportAsync(patientId, ct).ConfigureAwait(false);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.AuditAccess, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), patientId,
            detail: $"patient access report: {report.Count} entries"), ct).ConfigureAwait(false);
        return Results.Ok(report);
    }

    private static bool MayManageConsent(HttpContext context, out ProfessionalPrincipal principal)
    {
        principal = context.GetProfessionalPrincipal()!;
        return principal is not null
            && AccessDecision.Evaluate(new AccessRequest { Principal = principal, Action = AccessAction.ManageConsent, Now = DateTimeOffset.UtcNow }).IsAllowed;
    }

    private static ValueTask RecordReadAsync(IAuditTrail audit, ProfessionalPrincipal principal, HttpContext context, TimeProvider time, string patientId, string detail, CancellationToken ct) =>
        audit.RecordAsync(principal.ToAuditEvent(AuditAction.ConsentChange, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), patientId, detail: detail), ct);
}

/// <summary>Body of <c>POST /api/patients/{patientId}/consent</c>.</summary>
public sealed record ConsentChangeBody
{
    /// <summary>The change (Grant, Oppose, Reset, RefuseEstablishment, AllowEstablishment, RefuseEmergencyAccess, AllowEmergencyAccess).</summary>
    public string? Kind { get; init; }

    /// <summary>Establishment, for RefuseEstablishment / AllowEstablishment.</summary>
    public string? EstablishmentId { get; init; }

    /// <summary>Why (required; kept in the consent history and the audit trail).</summary>
    public string? Reason { get; init; }
}

/// <summary>Body carrying a mandatory reason (care relationship, break-the-glass).</summary>
public sealed record ReasonBody
{
    /// <summary>Why (required; audited).</summary>
    public string? Reason { get; init; }
}
