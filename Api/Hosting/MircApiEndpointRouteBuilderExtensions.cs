using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb;
using Mirc.Api.DicomWeb.WadoUri;
using Mirc.Api.Management;
using Mirc.Api.Portal;
using Mirc.Grains.Interfaces.Audit;
using Scalar.AspNetCore;

namespace Mirc.Api.Hosting;

/// <summary>Maps the HTTP surface onto the application.</summary>
public static class MircApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps DICOMweb under <c>/dicomweb</c>, WADO-URI at <c>/wado</c>, the management API under <c>/api</c>, the OpenAPI
    /// document at <c>/openapi/v1.json</c> and its reference page at <c>/docs</c>. All protected routes share one group
    /// (<see cref="MircApiEndpoints.Protected"/>), which requires authorization when
    /// <see cref="MircApiOptions.RequireAuthorization"/> is set (the default); the management API always requires a caller.
    /// Fails when the composition lacks an access policy or an audit trail, rather than serving with everything visible
    /// or nothing recorded.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="IDicomWebAccessPolicy"/> or no <c>IAuditTrail</c> is registered.</exception>
    public static MircApiEndpoints MapMircApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        RequireComposition(app.Services);
        var options = app.Services.GetRequiredService<IOptions<MircApiOptions>>().Value;
        if (options.Cors.AllowedOrigins.Length > 0) app.UseCors(MircApiServiceCollectionExtensions.CorsPolicy);
        // A bodyless 4xx (unknown route, wrong method, a 403 decided by an endpoint) gets a problem body with the fix.
        app.UseStatusCodePages();

        var protectedGroup = app.MapGroup("");
        if (options.RequireAuthorization) protectedGroup.RequireAuthorization();
        var dicomWeb = protectedGroup.MapGroup(DicomWebUrls.Prefix).MapDicomWeb();
        var wadoUri = protectedGroup.MapGroup("/wado").MapWadoUri();
        var management = protectedGroup.MapGroup("/api").RequireAuthorization().MapManagement().MapPortalPatients();

        app.MapOpenApi();
        app.MapScalarApiReference("/docs", scalar =>
        {
            // No third-party font host (CSP).
            scalar.WithTitle("Mirc archive API").AddPreferredSecuritySchemes("Bearer").DisableDefaultFonts();
            // Nothing in the reference calls out of the machine or offers hosted services: no AI chat, no MCP, no
            // telemetry, no SDK generation or deployment toolbar.
            scalar.Agent = new ScalarAgentOptions { Disabled = true };
            scalar.Mcp = new ScalarMcpOptions { Disabled = true };
            scalar.Telemetry = false;
            scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            scalar.HideClientButton = true;
        });
        app.MapPortal();
        return new MircApiEndpoints(protectedGroup, dicomWeb, wadoUri, management);
    }

    /// <summary>Fails closed: a composition without an access decision or an audit trail must not start.</summary>
    /// <exception cref="InvalidOperationException">A required security service is missing.</exception>
    public static void RequireComposition(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.GetRequiredService<IServiceProviderIsService>();
        if (!registered.IsService(typeof(IDicomWebAccessPolicy)))
            throw new InvalidOperationException("No IDicomWebAccessPolicy is registered: call AddMircAuthentication (or register a policy explicitly). The API does not start with everything visible.");
        if (!registered.IsService(typeof(IAuditTrail)))
            throw new InvalidOperationException("No IAuditTrail is registered: call AddMircAuthentication / AddMircSecurity. The API does not start without recording accesses.");
    }
}

/// <summary>The route groups <see cref="MircApiEndpointRouteBuilderExtensions.MapMircApi"/> created, for further conventions.</summary>
/// <param name="Protected">Parent of every DICOMweb, WADO-URI and management route: apply authorization here.</param>
/// <param name="DicomWeb">The <c>/dicomweb</c> group.</param>
/// <param name="WadoUri">The <c>/wado</c> group.</param>
/// <param name="Management">The <c>/api</c> group (establishments, professionals, patients).</param>
public sealed record MircApiEndpoints(RouteGroupBuilder Protected, RouteGroupBuilder DicomWeb, RouteGroupBuilder WadoUri, RouteGroupBuilder Management);
