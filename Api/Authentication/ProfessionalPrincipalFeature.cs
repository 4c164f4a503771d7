using Microsoft.AspNetCore.Http;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Api.Authentication;

/// <summary>The principal of an authenticated request, set when its bearer token is validated.</summary>
public sealed class ProfessionalPrincipalFeature(ProfessionalPrincipal principal)
{
    /// <summary>The principal.</summary>
    public ProfessionalPrincipal Principal { get; } = principal;
}

/// <summary>Access to the request's <see cref="ProfessionalPrincipal"/>.</summary>
public static class ProfessionalPrincipalHttpContextExtensions
{
    /// <summary>The authenticated principal, or null for an anonymous request.</summary>
    public static ProfessionalPrincipal? GetProfessionalPrincipal(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.Identity?.IsAuthenticated == true ? context.Features.Get<ProfessionalPrincipalFeature>()?.Principal : null;
    }

    /// <summary>Client address for the audit trail.</summary>
    public static string? AuditSource(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString();
}
