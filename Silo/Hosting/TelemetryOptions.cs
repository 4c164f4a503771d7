using System.Net;

namespace Mirc.Silo.Hosting;

/// <summary>Metrics, traces and log format (section <c>Mirc:Telemetry</c>), validated at start-up.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Mirc:Telemetry";

    /// <summary>
    /// OpenTelemetry collector (OTLP, e.g. <c>http://otel-collector:4317</c>) receiving metrics and traces; none by
    /// default. The standard <c>OTEL_EXPORTER_OTLP_*</c> variables refine it (protocol, headers).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Serve Prometheus' text format at <c>/metrics</c> (default true).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose scrapers may read <c>/metrics</c> besides the machine itself;
    /// none by default: metrics reveal activity, so a remote scraper is an explicit choice.
    /// </summary>
    public string[] MetricsAllowedNetworks { get; set; } = [];

    /// <summary>
    /// Tag combinations kept per metric (OpenTelemetry's cardinality limit; beyond it, measurements go to one overflow
    /// series). The SDK preallocates every series: its default of 2,000 held ~44 MB for the silo's ~250 metric streams,
    /// whose widest (HTTP routes × methods × status codes) stays in the tens.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(16, 2000)]
    public int MetricCardinalityLimit { get; set; } = 256;

    /// <summary>One JSON object per log line on the console (for log collectors) instead of the readable format.</summary>
    public bool JsonConsoleLogs { get; set; }

    internal IReadOnlyList<IPNetwork> ParsedNetworks() => [.. MetricsAllowedNetworks.Select(n => IPNetwork.Parse(n))];
}
