using System.Net;
using Mirc.Api.Authentication;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Silo.Hosting;

/// <summary>
/// The dashboard shows grain state: platform administrators only, or — when <see cref="DashboardAccessOptions.AllowAnonymousLoopback"/>
/// is set — a browser on the machine itself, which cannot attach a bearer token to the dashboard's own requests.
/// </summary>
public static class DashboardAccess
{
    public const string Policy = "mirc:dashboard";

    public static IServiceCollection AddDashboardAccess(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DashboardAccessOptions.Section).Get<DashboardAccessOptions>() ?? new DashboardAccessOptions();
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(MircAuthenticationDefaults.Scheme)
            .RequireAssertion(c => c.Resource is HttpContext http
                && ((options.AllowAnonymousLoopback && IsLocal(http))
                    || http.GetProfessionalPrincipal()?.HasAnyRole(MircRoles.PlatformAdmin) == true)));
        return services;
    }

    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For");
}
