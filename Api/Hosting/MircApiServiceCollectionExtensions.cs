using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb.Qido;
using Mirc.Api.DicomWeb.Stow;
using Mirc.Api.DicomWeb.Wado;
using Mirc.Api.Problems;

namespace Mirc.Api.Hosting;

/// <summary>Registers the HTTP surface: DICOMweb, WADO-URI, management API, OpenAPI, problem details, CORS.</summary>
public static class MircApiServiceCollectionExtensions
{
    /// <summary>Name of the CORS policy built from <see cref="MircApiOptions.Cors"/>.</summary>
    public const string CorsPolicy = "mirc-api";

    /// <summary>
    /// Adds the API services, binding <see cref="MircApiOptions"/> from <c>Mirc:Api</c> (validated at start-up).
    /// Expects the archive services (<c>IInstanceIngestor</c>, <c>IInstanceRetriever</c>, <c>IQueryIndex</c>) to be registered
    /// by <c>AddMircArchive</c>, an <see cref="IDicomWebAccessPolicy"/> (<c>AddMircAuthentication</c> registers the secure
    /// one) and an <c>IAuditTrail</c>: there is no fallback, <see cref="MircApiEndpointRouteBuilderExtensions.MapMircApi"/>
    /// fails start-up when either is missing.
    /// </summary>
    public static IServiceCollection AddMircApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MircApiOptions>()
            .Bind(configuration.GetSection(MircApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MircApiOptions>, MircApiOptionsValidator>());

        // Every problem response says what to do: a detail is added where an endpoint or the framework left none, and
        // the authorization middleware's 401/403 name the token endpoint or the roles needed.
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemHints.Apply);
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>());
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(openApi =>
        {
            var bearer = new BearerSecuritySchemeTransformer();
            openApi.AddDocumentTransformer(bearer);
            openApi.AddOperationTransformer(bearer);
            openApi.AddOperationTransformer(new OpenApiExamples());
            // The dashboard's own JSON endpoints are internals of its page, not part of the archive's API.
            openApi.ShouldInclude = description => description.RelativePath?.StartsWith("dashboard", StringComparison.OrdinalIgnoreCase) != true;
        });
        services.AddCors();
        services.AddSingleton<IConfigureOptions<CorsOptions>, MircCorsSetup>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DicomWebAudit>();
        services.TryAddSingleton<IAttributeDictionary, DicomDictionaryAttributes>();
        services.TryAddSingleton<QidoQueryParser>();
        services.TryAddSingleton<QidoResponseJsonWriter>();
        services.TryAddTransient<StowServices>();
        services.TryAddTransient<QidoServices>();
        services.TryAddTransient<WadoServices>();
        return services;
    }

    /// <summary>Builds the CORS policy from the validated options.</summary>
    private sealed class MircCorsSetup(IOptions<MircApiOptions> options) : IConfigureOptions<CorsOptions>
    {
        public void Configure(CorsOptions cors)
        {
            var settings = options.Value.Cors;
            cors.AddPolicy(CorsPolicy, policy =>
            {
                if (settings.AllowedOrigins.Contains("*")) policy.AllowAnyOrigin();
                else policy.WithOrigins(settings.AllowedOrigins);
                if (settings.AllowCredentials) policy.AllowCredentials();
                policy.AllowAnyHeader()
                    .AllowAnyMethod()
                    .WithExposedHeaders("Content-Location", "Location", "Warning")
                    .SetPreflightMaxAge(TimeSpan.FromSeconds(settings.PreflightMaxAgeSeconds));
            });
        }
    }
}
