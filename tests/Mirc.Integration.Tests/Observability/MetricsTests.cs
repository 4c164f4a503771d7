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
/// <remarks>
/// The meters are process-wide (one silo per process in production), so another test class storing in parallel would
/// move the same counters: this class runs alone.
/// </remarks>
[Collection(MeasuredAlone.Name)]
public sealed partial class MetricsTests(MetricsTests.Silo silo) : IClassFixture<MetricsTests.Silo>, IDisposable
{
    // The in-memory test server has no TCP peer: this header stands for the scraper's address.
    private const string RemoteHeader = "X-Test-Remote-Address";

    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>One silo for the class, scrapers from 10.0.0.0/8 allowed besides the machine itself.</summary>
    public sealed class Silo : IAsyncLifetime
    {
        public TempDataFolder Data { get; } = new();

        public MircHostFactory Host { get; private set; } = null!;

        public WebApplicationFactory<Program> App { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            Host = new MircHostFactory(Data.Path, new Dictionary<string, string?>
            {
                ["Mirc:Telemetry:MetricsAllowedNetworks:0"] = "10.0.0.0/8",
            });
            App = Host.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>()));
            _ = App.Server;
            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Host.DisposeAsync();
            Data.Dispose();
        }
    }

    [Fact]
    public async Task A_store_moves_the_association_operation_and_ingest_meters()
    {
        var before = await ScrapeAsync("127.0.0.1");
        var study = new SyntheticStudy("PAT-METRICS", "METRIC^Anne", seriesCount: 1, instancesPerSeries: 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", silo.Host.DicomPort.ToString(CultureInfo.InvariantCulture), .. files]);
        var rejected = await Dcmtk.RunAsync("echoscu", "-aet", "INTRUDER", "-aec", "MIRC", "127.0.0.1", silo.Host.DicomPort.ToString(CultureInfo.InvariantCulture));
        Assert.NotEqual(0, rejected.ExitCode);

        // A retrieval with one blob gone from the disk: two instances served, one storage error.
        var lost = Directory.EnumerateFiles(Path.Combine(silo.Data.Path, "blobs"), "*.dcm", SearchOption.AllDirectories)
            .First(f => f.Contains(study.StudyUid, StringComparison.Ordinal));
        File.Delete(lost);
        var output = Path.Combine(_work.Path, "got");
        Directory.CreateDirectory(output);
        await Dcmtk.RunAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", silo.Host.DicomPort.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, Directory.GetFiles(output).Length);

        // The exporter may answer a scrape from its response cache (a few hundred ms): scrape until the retrieval shows,
        // bounded, and say what was scraped when it never does.
        var after = await ScrapeAsync("127.0.0.1");
        for (var attempt = 0; attempt < 20 && Value(after, "mirc_retrieve_instances_total", null) == Value(before, "mirc_retrieve_instances_total", null); attempt++)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            after = await ScrapeAsync("127.0.0.1");
        }

        Assert.True(Value(after, "mirc_retrieve_instances_total", null) - Value(before, "mirc_retrieve_instances_total", null) == 2,
            "retrieved instances: before " + RetrieveLines(before) + "; after " + RetrieveLines(after));
        Assert.Equal(1, Value(after, "mirc_storage_errors_total", "operation=\"read\"") - Value(before, "mirc_storage_errors_total", "operation=\"read\""));
        Assert.Equal(3, Value(after, "mirc_ingest_instances_total", "status=\"Stored\"") - Value(before, "mirc_ingest_instances_total", "status=\"Stored\""));
        // Each stored instance times its phases; each C-STORE waited for its audit record.
        Assert.All(new[] { "receive", "prepare", "commit" }, phase => Assert.Equal(3,
            Value(after, "mirc_ingest_phase_duration_seconds_count", $"phase=\"{phase}\"") - Value(before, "mirc_ingest_phase_duration_seconds_count", $"phase=\"{phase}\"")));
        Assert.True(Value(after, "mirc_audit_record_duration_seconds_count", null) - Value(before, "mirc_audit_record_duration_seconds_count", null) >= 3,
            "every C-STORE's audit record is timed");
        Assert.True(Value(after, "mirc_storage_flush_round_duration_seconds_count", null) - Value(before, "mirc_storage_flush_round_duration_seconds_count", null) >= 1,
            "each store waited for a flush round of the data folder, and rounds are timed");
        Assert.True(Value(after, "mirc_ingest_bytes_total", null) - Value(before, "mirc_ingest_bytes_total", null) >= files.Sum(f => new FileInfo(f).Length) - 3 * 1024,
            "stored bytes follow the files sent");
        Assert.Equal(3, Value(after, "mirc_dimse_operation_duration_seconds_count", "command=\"C-STORE\",status=\"success\"")
            - Value(before, "mirc_dimse_operation_duration_seconds_count", "command=\"C-STORE\",status=\"success\""));
        Assert.Equal(2, Value(after, "mirc_dimse_associations_total", "outcome=\"accepted\"") - Value(before, "mirc_dimse_associations_total", "outcome=\"accepted\""));
        Assert.Equal(1, Value(after, "mirc_dimse_associations_total", "outcome=\"rejected\",reason=\"calling-ae-not-recognized\"")
            - Value(before, "mirc_dimse_associations_total", "outcome=\"rejected\",reason=\"calling-ae-not-recognized\""));
        Assert.Contains("mirc_ingest_in_flight", after, StringComparison.Ordinal);
        Assert.Contains("orleans_", after, StringComparison.Ordinal);
        // The per-metric cardinality limit (Mirc:Telemetry:MetricCardinalityLimit) holds every series the traffic made.
        Assert.DoesNotContain("otel_metric_overflow", after, StringComparison.Ordinal);
        // The change-feed follower (started with the silo) reports each projection's lag.
        Assert.Matches("(?m)^mirc_changefeed_follower_lag\\{[^}]*projection=\"query-index\"", after);

        // The sample Grafana dashboard shipped in infra/ charts only series the silo really exposes.
        var dashboard = await File.ReadAllTextAsync(Path.Combine(Mirc.Testing.TestEnvironment.RepositoryRoot, "infra", "grafana", "mirc-archive.json"),
            TestContext.Current.CancellationToken);
        var charted = DashboardSeries().Matches(dashboard).Select(m => m.Value).Distinct().ToArray();
        Assert.NotEmpty(charted);
        Assert.All(charted, series => Assert.Matches($"(?m)^{series}[{{ ]", after));
    }

    [Theory]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("10.20.30.40", HttpStatusCode.OK)]
    [InlineData("192.168.1.5", HttpStatusCode.NotFound)]
    public async Task Only_the_machine_itself_and_the_allowed_networks_may_scrape(string remote, HttpStatusCode expected)
    {
        using var http = silo.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteHeader, remote);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(expected, response.StatusCode);
    }

    private async Task<string> ScrapeAsync(string remote)
    {
        using var http = silo.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteHeader, remote);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static string RetrieveLines(string exposition) =>
        string.Join(" | ", exposition.Split('\n').Where(l => l.StartsWith("mirc_retrieve", StringComparison.Ordinal)));

    /// <summary>Sum of the samples of <paramref name="metric"/> whose labels contain <paramref name="labels"/> (0 when none).</summary>
    private static double Value(string exposition, string metric, string? labels) =>
        Sample().Matches(exposition)
            .Where(m => m.Groups["name"].Value == metric && (labels is null || m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\b(mirc|http_server)_[a-z_]+\b")]
    private static partial Regex DashboardSeries();

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

/// <summary>Test classes that read process-wide meters run after the parallel ones, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Process-wide meters, measured alone";
}
