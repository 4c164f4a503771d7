using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.DicomWeb;
using Mirc.Api.DicomWeb.WadoUri;
using Mirc.Api.Management;
using Scalar.AspNetCore;

namespace Mirc.Api.Hosting;

/// <summary>Maps the HTTP surface onto the application.</summary>
public static class MircApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps DICOMweb under <c>/dicomweb</c>, WADO-URI at <c>/wado</c>, the management API under <c>/api</c>, the OpenAPI
    /// document at <c>/openapi/v1.json</c> and its reference page at <c>/docs</c>. All protected routes share one group
    /// (<see cref="MircApiEndpoints.Protected"/>), which requires authorization when
    /// <see cref="MircApiOptions.RequireAuthorization"/> is set.
    /// </summary>
    public static MircApiEndpoints MapMircApi(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MircApiOptions>>().Value;
        if (options.Cors.AllowedOrigins.Length > 0) app.UseCors(MircApiServiceCollectionExtensions.CorsPolicy);

        var protectedGroup = app.MapGroup("");
        if (options.RequireAuthorization) protectedGroup.RequireAuthorization();
        var dicomWeb = protectedGroup.MapGroup(DicomWebUrls.Prefix).MapDicomWeb();
        var wadoUri = protectedGroup.MapGroup("/wado").MapWadoUri();
        var management = protectedGroup.MapGroup("/api").MapManagement(options.RequireAuthorization);

        app.MapOpenApi();
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("Mirc archive API").DisableDefaultFonts()); // no third-party font host (CSP)
        return new MircApiEndpoints(protectedGroup, dicomWeb, wadoUri, management);
    }
}

/// <summary>The route groups <see cref="MircApiEndpointRouteBuilderExtensions.MapMircApi"/> created, for further conventions.</summary>
/// <param name="Protected">Parent of every DICOMweb, WADO-URI and management route: apply authorization here.</param>
/// <param name="DicomWeb">The <c>/dicomweb</c> group.</param>
/// <param name="WadoUri">The <c>/wado</c> group.</param>
/// <param name="Management">The <c>/api</c> group (establishments, professionals, patients).</param>
public sealed record MircApiEndpoints(RouteGroupBuilder Protected, RouteGroupBuilder DicomWeb, RouteGroupBuilder WadoUri, RouteGroupBuilder Management);
