using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Authentication;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Integration.Tests.Security;

/// <summary>
/// Authenticated HTTP clients for the real host: tokens signed with the host's own key ring, exactly as
/// <c>POST /api/auth/token</c> signs them (the login flow itself is covered by the API tests).
/// </summary>
public static class BearerTokens
{
    /// <summary>A principal for tests.</summary>
    public static ProfessionalPrincipal Principal(string establishmentId, MircRoles roles, string? rpps = null) => new()
    {
        Subject = "it-" + (rpps ?? Guid.NewGuid().ToString("N")[..12]),
        Rpps = rpps,
        EstablishmentId = establishmentId,
        Roles = roles,
        AuthenticationMethod = "local-password+totp",
    };

    /// <summary>A token for <paramref name="principal"/> signed by <paramref name="host"/>'s key ring.</summary>
    public static string Mint(WebApplicationFactory<Program> host, ProfessionalPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetRequiredService<LocalTokenIssuer>().Issue(principal).Token;
    }

    /// <summary>A client of <paramref name="host"/> authenticated as <paramref name="principal"/>.</summary>
    public static HttpClient CreateClient(this WebApplicationFactory<Program> host, ProfessionalPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Mint(host, principal));
        return client;
    }

    /// <summary>A client authenticated as a platform administrator (dashboard, key rotation, audit trail).</summary>
    public static HttpClient CreatePlatformAdminClient(this WebApplicationFactory<Program> host) =>
        host.CreateClient(Principal("750000001", MircRoles.PlatformAdmin));
}
