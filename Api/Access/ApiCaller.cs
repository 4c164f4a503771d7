using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Mirc.Api.Access;

/// <summary>
/// Who is calling, taken from the authenticated <see cref="ClaimsPrincipal"/> once per request and passed down to the
/// ingest pipeline, the retriever and the query index so that the one authorization decision (and the audit trail)
/// sees the same identity on every path.
/// </summary>
/// <param name="ProfessionalId">National professional id (RPPS), or the subject, when authenticated.</param>
/// <param name="EstablishmentId">The caller's establishment, when the token carries one.</param>
/// <param name="Roles">Roles from the token.</param>
/// <param name="RemoteAddress">Client IP address, for the audit trail.</param>
/// <param name="Principal">The full principal, for services that need more claims.</param>
public sealed record ApiCaller(
    string? ProfessionalId,
    string? EstablishmentId,
    IReadOnlyList<string> Roles,
    string? RemoteAddress,
    ClaimsPrincipal Principal)
{
    /// <summary>Claim carrying the national professional id (RPPS).</summary>
    public const string ProfessionalIdClaim = "rpps";

    /// <summary>Claim carrying the establishment id.</summary>
    public const string EstablishmentClaim = "establishment";

    /// <summary>True when the request carried a validated identity.</summary>
    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    /// <summary>Reads the caller from the request.</summary>
    public static ApiCaller From(HttpContext context)
    {
        var user = context.User;
        var professional = user.FindFirst(ProfessionalIdClaim)?.Value
            ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? user.FindFirst("sub")?.Value;
        var establishment = user.FindFirst(EstablishmentClaim)?.Value;
        var roles = user.Claims
            .Where(c => c.Type is ClaimTypes.Role or "role" or "roles")
            .Select(c => c.Value)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new ApiCaller(professional, establishment, roles, context.Connection.RemoteIpAddress?.ToString(), user);
    }
}
