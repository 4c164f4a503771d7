using System.Net;
using Microsoft.Extensions.Options;
using Mirc.Dicom.Network;
using Mirc.Grains.Observability;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mirc.Silo.Hosting;

/// <summary>
/// OpenTelemetry for ops: the archive's meters (DIMSE associations and operations, ingest and retrieval rates,
/// latencies and queue depth, storage errors), Orleans', ASP.NET Core's and the runtime's, scraped by Prometheus at
/// <c>/metrics</c> and/or pushed over OTLP with traces of HTTP requests and grain calls.
/// </summary>
public static class Telemetry
{
    private const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddMircTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .Validate(o => o.MetricsAllowedNetworks.All(n => IPNetwork.TryParse(n, out _)),
                "Mirc:Telemetry:MetricsAllowedNetworks entries must be CIDR networks such as 10.0.0.0/8")
            .Validate(o => o.OtlpEndpoint is null || o.OtlpEndpoint.IsAbsoluteUri,
                "Mirc:Telemetry:OtlpEndpoint must be an absolute URL such as http://otel-collector:4317")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.JsonConsoleLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json => json.UseUtcTimestamp = true);
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("mirc-silo", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DimseMetrics.MeterName, ArchiveMetrics.MeterName, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = options.MetricCardinalityLimit });
                if (options.Prometheus) metrics.AddPrometheusExporter();
                if (options.OtlpEndpoint is { } endpoint) metrics.AddOtlpExporter(otlp => otlp.Endpoint = endpoint);
            });
        // Traces only go somewhere over OTLP: without a collector, recording them would be wasted work.
        if (options.OtlpEndpoint is { } traceEndpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddOtlpExporter(otlp => otlp.Endpoint = traceEndpoint));
        }

        return builder;
    }

    /// <summary>Serves <c>/metrics</c> to the machine itself and to the allowed networks; others get a 404.</summary>
    public static WebApplication UseMircMetricsEndpoint(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (!options.Prometheus) return app;
        var networks = options.ParsedNetworks();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path == MetricsPath && http.Connection.RemoteIpAddress is { } remote && IsAllowed(remote, networks));
        return app;
    }

    private static bool IsAllowed(IPAddress remote, IReadOnlyList<IPNetwork> networks)
    {
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return IPAddress.IsLoopback(remote) || networks.Any(n => n.Contains(remote));
    }
}
