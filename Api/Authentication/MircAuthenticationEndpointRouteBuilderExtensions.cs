using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>HTTP endpoints of the authentication layer.</summary>
public static class MircAuthenticationEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /api/auth/token</c> (local accounts, when enabled), <c>GET /api/auth/jwks</c> (public keys),
    /// <c>GET /api/auth/me</c> (the caller's principal) and <c>POST /api/auth/keys/rotate</c> (platform administrators).
    /// Requires <c>UseAuthentication()</c>/<c>UseAuthorization()</c> in the pipeline (minimal hosting adds them).
    /// </summary>
    public static IEndpointRouteBuilder MapMircAuthentication(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/api/auth").WithTags("Authentication");
        group.MapPost("/token", TokenEndpoint.HandleAsync).AllowAnonymous()
            .WithSummary("Log in a local account (password + TOTP code) and get a bearer token; replaces a one-time password");
        group.MapGet("/jwks", (SigningKeyRing keys) => Results.Json(keys.PublicKeySet())).AllowAnonymous()
            .WithSummary("Public keys that verify the tokens this archive issues (JWKS)");
        group.MapGet("/me", (HttpContext context) => context.GetProfessionalPrincipal() is { } principal
                ? Results.Ok(new
                {
                    principal.Subject,
                    principal.Rpps,
                    principal.EstablishmentId,
                    Roles = MircRoleNames.ToNames(principal.Roles),
                    principal.AuthenticationMethod,
                })
                : Results.Unauthorized())
            .RequireAuthorization(MircPolicies.Authenticated)
            .WithSummary("The caller as the archive sees it: subject, RPPS, establishment, roles");
        group.MapPost("/keys/rotate", async (HttpContext context, SigningKeyRing keys, IAuditTrail audit, TimeProvider time, CancellationToken cancellationToken) =>
            {
                // Key ids only (public): before/after of the active key, never key material.
                var before = keys.ActiveKeyId;
                var kid = await keys.RotateAsync(cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(context.GetProfessionalPrincipal().ToAuditEvent(AuditAction.Administration, AuditOutcome.Success,
                    time.GetUtcNow(), context.AuditSource(), detail: $"signing key rotated: before active kid {before} after active kid {kid}"), cancellationToken).ConfigureAwait(false);
                return Results.Ok(new { kid });
            })
            .RequireAuthorization(MircPolicies.PlatformAdmin)
            .WithSummary("Rotate the token signing key (platform administrators)");
        return endpoints;
    }
}
