using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Observability;

/// <summary>
/// The Prometheus endpoint as an ops team scrapes it: the archive's own meters move with real DIMSE traffic, and only
/// the machine itself and the configured networks may read it.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    // The in-memory test server has no TCP peer: this header stands for the scraper's address.
    private const string RemoteHeader = "X-Test-Remote-Address";

    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();
    private MircHostFactory _host = null!;
    private WebApplicationFactory<Program> _app = null!;

    public ValueTask InitializeAsync()
    {
        _host = new MircHostFactory(_data.Path, new Dictionary<string, string?>
        {
            ["Mirc:Telemetry:MetricsAllowedNetworks:0"] = "10.0.0.0/8",
        });
        _app = _host.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>()));
        _ = _app.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _host.DisposeAsync();
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task A_store_moves_the_association_operation_and_ingest_meters()
    {
        var before = await ScrapeAsync("127.0.0.1");
        var study = new SyntheticStudy("PAT-METRICS", "METRIC^Anne", seriesCount: 1, instancesPerSeries: 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", _host.DicomPort.ToString(CultureInfo.InvariantCulture), .. files]);
        var rejected = await Dcmtk.RunAsync("echoscu", "-aet", "INTRUDER", "-aec", "MIRC", "127.0.0.1", _host.DicomPort.ToString(CultureInfo.InvariantCulture));
        Assert.NotEqual(0, rejected.ExitCode);

        var after = await ScrapeAsync("127.0.0.1");
        Assert.Equal(3, Value(after, "mirc_ingest_instances_total", "status=\"Stored\"") - Value(before, "mirc_ingest_instances_total", "status=\"Stored\""));
        Assert.True(Value(after, "mirc_ingest_bytes_total", null) - Value(before, "mirc_ingest_bytes_total", null) >= files.Sum(f => new FileInfo(f).Length) - 3 * 1024,
            "stored bytes follow the files sent");
        Assert.Equal(3, Value(after, "mirc_dimse_operation_duration_seconds_count", "command=\"C-STORE\",status=\"success\"")
            - Value(before, "mirc_dimse_operation_duration_seconds_count", "command=\"C-STORE\",status=\"success\""));
        Assert.Equal(1, Value(after, "mirc_dimse_associations_total", "outcome=\"accepted\"") - Value(before, "mirc_dimse_associations_total", "outcome=\"accepted\""));
        Assert.Equal(1, Value(after, "mirc_dimse_associations_total", "outcome=\"rejected\",reason=\"calling-ae-not-recognized\"")
            - Value(before, "mirc_dimse_associations_total", "outcome=\"rejected\",reason=\"calling-ae-not-recognized\""));
        Assert.Contains("mirc_ingest_in_flight", after, StringComparison.Ordinal);
        Assert.Contains("orleans_", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("10.20.30.40", HttpStatusCode.OK)]
    [InlineData("192.168.1.5", HttpStatusCode.NotFound)]
    public async Task Only_the_machine_itself_and_the_allowed_networks_may_scrape(string remote, HttpStatusCode expected)
    {
        using var http = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteHeader, remote);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
    }

    private async Task<string> ScrapeAsync(string remote)
    {
        using var http = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteHeader, remote);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Sum of the samples of <paramref name="metric"/> whose labels contain <paramref name="labels"/> (0 when none).</summary>
    private static double Value(string exposition, string metric, string? labels) =>
        Sample().Matches(exposition)
            .Where(m => m.Groups["name"].Value == metric && (labels is null || m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext http, RequestDelegate nextStep) =>
            {
                if (http.Request.Headers.TryGetValue(RemoteHeader, out var address)) http.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                return nextStep(http);
            });
            next(app);
        };
    }
}
