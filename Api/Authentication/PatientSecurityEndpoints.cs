using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Api.Management.Patients;
using Mirc.Api.Problems;

namespace Mirc.Api.Authentication;

/// <summary>
/// Patient-centred security endpoints under <c>/api/patients/{patientId}</c> (the patient named as in
/// <see cref="PatientReference"/>: regional id, <c>ins:</c> or <c>local:</c>; unknown → 404, nothing recorded): consent (read, change with a reason,
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

    private static async Task<IResult> GetConsentAsync(HttpContext context, IGrainFactory grains, IAuditTrail audit, IAccessControl access, TimeProvider time, string patientId, CancellationToken ct)
    {
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);
        if (await ConsentReadRefusalAsync(context, access, regional, ct).ConfigureAwait(false) is { } refusal) return refusal;
        var snapshot = await grains.Reference<IConsentGrain>(regional).GetAsync().WaitAsync(ct).ConfigureAwait(false);
        await RecordReadAsync(audit, context, time, regional, "consent read", ct).ConfigureAwait(false);
        return Results.Ok(snapshot);
    }

    private static async Task<IResult> GetConsentHistoryAsync(HttpContext context, IGrainFactory grains, IAuditTrail audit, IAccessControl access, TimeProvider time, string patientId, CancellationToken ct)
    {
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);
        if (await ConsentReadRefusalAsync(context, access, regional, ct).ConfigureAwait(false) is { } refusal) return refusal;
        var history = await grains.Reference<IConsentGrain>(regional).GetHistoryAsync().WaitAsync(ct).ConfigureAwait(false);
        await RecordReadAsync(audit, context, time, regional, "consent history read", ct).ConfigureAwait(false);
        return Results.Ok(history);
    }

    private static async Task<IResult> ChangeConsentAsync(HttpContext context, IGrainFactory grains, string patientId, ConsentChangeBody body, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        // A malformed request is answered before any lookup: the answer says what to fix and nothing about the patient.
        if (!Enum.TryParse<ConsentChangeKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind)
            || char.IsDigit(body.Kind![0]) || string.IsNullOrWhiteSpace(body.Reason))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"kind must be one of {string.Join(", ", Enum.GetNames<ConsentChangeKind>())}, with a non-empty reason"] });
        }

        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);

        try
        {
            // The grain authorizes (roles allowed to manage consent) and audits, allowed or not.
            var snapshot = await grains.Reference<IConsentGrain>(regional).ChangeAsync(principal, new ConsentChangeRequest
            {
                Kind = kind,
                EstablishmentId = body.EstablishmentId,
                Reason = body.Reason,
                Source = context.AuditSource(),
            }).WaitAsync(ct).ConfigureAwait(false);
            return Results.Ok(snapshot);
        }
        catch (UnauthorizedAccessException ex)
        {
            return ApiProblems.Forbidden(ex.Message, ConsentRoleNames);
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["request"] = [ex.Message] });
        }
    }

    private static Task<IResult> DeclareCareAsync(HttpContext context, IGrainFactory grains, string patientId, ReasonBody body, CancellationToken ct) =>
        CareAsync(context, grains, patientId, body, (grain, principal, regional, reason) => grain.DeclareAsync(principal, regional, reason, context.AuditSource()), ct);

    private static Task<IResult> BreakTheGlassAsync(HttpContext context, IGrainFactory grains, string patientId, ReasonBody body, CancellationToken ct) =>
        CareAsync(context, grains, patientId, body, (grain, principal, regional, reason) => grain.BreakTheGlassAsync(principal, regional, reason, context.AuditSource()), ct);

    private static async Task<IResult> CareAsync(HttpContext context, IGrainFactory grains, string patientId, ReasonBody body,
        Func<ICareRelationshipGrain, ProfessionalPrincipal, string, string, Task<CareRelationship>> act, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        // Never a care relationship with a phantom: the patient must resolve to a known regional record.
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);
        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["a reason is required"] });
        }

        try
        {
            // The grain enforces the role rule, applies consent refusals of emergency access and audits.
            var relationship = await act(grains.Reference<ICareRelationshipGrain>(principal.ProfessionalId), principal, regional, body.Reason)
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
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);
        try
        {
            await grains.Reference<ICareRelationshipGrain>(principal.ProfessionalId).EndAsync(principal, regional, context.AuditSource())
                .WaitAsync(ct).ConfigureAwait(false);
            return Results.NoContent();
        }
        catch (UnauthorizedAccessException)
        {
            return Results.Forbid();
        }
    }

    private static async Task<IResult> AccessReportAsync(HttpContext context, IGrainFactory grains, IAuditTrail audit, IAccessControl access, TimeProvider time, string patientId, CancellationToken ct)
    {
        // Given to the patient by the data-protection officer, a platform administrator, or the administrator of an
        // establishment that cares for the patient: the full trail of one patient.
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        const string Needed = "The patient access report needs the DataProtectionOfficer or PlatformAdmin role, or the EstablishmentAdmin role in one of the patient's establishments of care.";
        string[] neededRoles = ["DataProtectionOfficer", "PlatformAdmin", "EstablishmentAdmin"];
        // Roles that can never read it are refused before the patient is looked up (nothing learned about the patient).
        if (!principal.HasAnyRole(MircRoles.DataProtectionOfficer | MircRoles.PlatformAdmin | MircRoles.EstablishmentAdmin))
            return ApiProblems.Forbidden(Needed, neededRoles);
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional) return UnknownPatient(patientId);
        if (!(await access.AuthorizeConsentAsync(principal, AccessAction.ReadPatientAccessReport, regional, ct).ConfigureAwait(false)).IsAllowed)
            return ApiProblems.Forbidden(Needed, neededRoles);
        var report = await audit.GetPatientAccessReportAsync(regional, ct).ConfigureAwait(false);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.AuditAccess, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), regional,
            detail: $"patient access report: {report.Count} entries"), ct).ConfigureAwait(false);
        return Results.Ok(report);
    }

    private static readonly string[] ConsentRoleNames = ["DataProtectionOfficer", "Radiologist", "Physician", "EstablishmentAdmin"];

    /// <summary>Reading consent needs the right to record it (the patient's side); null when allowed.</summary>
    private static async Task<IResult?> ConsentReadRefusalAsync(HttpContext context, IAccessControl access, string patientId, CancellationToken ct)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        var verdict = await access.AuthorizeConsentAsync(principal, AccessAction.ReadConsent, patientId, ct).ConfigureAwait(false);
        return verdict.IsAllowed
            ? null
            : ApiProblems.Forbidden("Reading consent needs the DataProtectionOfficer role, or the Radiologist, Physician or EstablishmentAdmin role in one of the patient's establishments of care.",
                ConsentRoleNames);
    }

    private static IResult UnknownPatient(string reference) =>
        ApiProblems.NotFound($"No patient is known as '{reference}' (regional id, ins:{{value}} or local:{{establishment}}:{{issuer}}:{{id}}).");

    private static ValueTask RecordReadAsync(IAuditTrail audit, HttpContext context, TimeProvider time, string patientId, string detail, CancellationToken ct) =>
        audit.RecordAsync(context.GetProfessionalPrincipal().ToAuditEvent(AuditAction.ConsentRead, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), patientId, detail: detail), ct);
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
