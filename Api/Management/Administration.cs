using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Management;

/// <summary>
/// Administrative acts of the management API: each asks the one decision (<see cref="AccessDecision"/>), a refusal is
/// audited and answers 403 with a problem naming the role and establishment needed, and each change is audited with
/// its before and after values (profiles and AE titles only: no secrets live in them).
/// </summary>
internal static class Administration
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The caller's principal, or null (anonymous: the group's authorization already answered 401).</summary>
    public static ProfessionalPrincipal? Caller(HttpContext context) => context.GetProfessionalPrincipal();

    /// <summary>Null when <paramref name="request"/> is allowed; otherwise the audited 403 (401 when anonymous).</summary>
    public static async Task<IResult?> RefusalAsync(HttpContext context, string act, Func<ProfessionalPrincipal, AccessRequest> request)
    {
        var principal = Caller(context);
        if (principal is null) return Results.Unauthorized();
        var access = request(principal);
        var verdict = AccessDecision.Evaluate(access);
        if (verdict.IsAllowed) return null;
        var (detail, roles, establishment) = Requirement(access, verdict.Reason);
        await RecordAsync(context, principal, AuditOutcome.Denied, $"{act} refused ({verdict.Reason}): {detail}").ConfigureAwait(false);
        return ApiProblems.Forbidden(detail, roles, establishment);
    }

    /// <summary>A request for <paramref name="action"/> on <paramref name="establishmentId"/>.</summary>
    public static AccessRequest Request(ProfessionalPrincipal principal, AccessAction action, string? establishmentId) =>
        new() { Principal = principal, Action = action, Now = DateTimeOffset.UtcNow, EstablishmentId = establishmentId };

    /// <summary>Whether the caller administers <paramref name="establishmentId"/> (full profile, AE titles, roles).</summary>
    public static bool Administers(HttpContext context, string? establishmentId) =>
        Caller(context) is { } principal && AccessDecision.Evaluate(Request(principal, AccessAction.Administer, establishmentId)).IsAllowed;

    /// <summary>Records a successful change of <paramref name="subject"/> with its values before and after.</summary>
    public static ValueTask RecordChangeAsync(HttpContext context, string subject, object? before, object? after) =>
        RecordAsync(context, Caller(context), AuditOutcome.Success,
            $"{subject}: before {(before is null ? "none" : JsonSerializer.Serialize(before, Json))} after {(after is null ? "none" : JsonSerializer.Serialize(after, Json))}");

    private static ValueTask RecordAsync(HttpContext context, ProfessionalPrincipal? principal, AuditOutcome outcome, string detail)
    {
        var audit = context.RequestServices.GetRequiredService<IAuditTrail>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        return audit.RecordAsync(principal.ToAuditEvent(AuditAction.Administration, outcome, time.GetUtcNow(), context.AuditSource(), detail: detail),
            context.RequestAborted);
    }

    private static (string Detail, IReadOnlyList<string> Roles, string? Establishment) Requirement(AccessRequest request, AccessReason reason)
    {
        var own = request.Principal.EstablishmentId;
        return request.Action switch
        {
            AccessAction.CreateEstablishment => ("Creating an establishment needs the PlatformAdmin role.", ["PlatformAdmin"], null),
            AccessAction.ManageProfessional when reason == AccessReason.RoleNotPermitted && request.Principal.HasAnyRole(MircRoles.EstablishmentAdmin) =>
                ($"Granting or changing {string.Join(", ", MircRoleNames.ToNames((request.RolesBefore | request.RolesAfter) & ~AccessDecision.GrantableRoles(request.Principal)))} needs the PlatformAdmin role; " +
                 $"an EstablishmentAdmin grants only {string.Join(", ", MircRoleNames.ToNames(AccessDecision.EstablishmentGrantableRoles))}.", ["PlatformAdmin"], null),
            AccessAction.ManageProfessional when request.PreviousEstablishmentId is { } previous && previous != own && request.Principal.HasAnyRole(MircRoles.EstablishmentAdmin) =>
                ($"The professional belongs to establishment {previous}: moving a professional between establishments needs the PlatformAdmin role.", ["PlatformAdmin"], previous),
            _ => ($"Needs the EstablishmentAdmin role of establishment {request.EstablishmentId ?? "(none given)"} or the PlatformAdmin role.",
                ["EstablishmentAdmin", "PlatformAdmin"], request.EstablishmentId),
        };
    }
}
