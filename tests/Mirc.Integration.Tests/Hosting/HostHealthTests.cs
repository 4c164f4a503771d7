using System.Net;
using System.Text.Json;
using Mirc.Integration.Tests.Security;
using Xunit;

namespace Mirc.Integration.Tests.Hosting;

public sealed class HostHealthTests : IAsyncLifetime
{
    private readonly TempDataFolder _data = new();
    private MircHostFactory _host = null!;
    private HttpClient _http = null!;

    public ValueTask InitializeAsync()
    {
        _host = new MircHostFactory(_data.Path);
        _http = _host.CreatePlatformAdminClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Liveness_answers_healthy()
    {
        var response = await _http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readiness_reports_silo_active_and_data_folder_writable()
    {
        var response = await _http.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Directory.Exists(_data.Path));
    }

    [Fact]
    public async Task Readiness_fails_when_data_folder_cannot_be_written()
    {
        var ready = await _http.GetAsync("/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // The disk goes away under a running silo: a file where the data folder was makes every write fail.
        // The folder is renamed away rather than deleted: the silo's background writers may add files to it
        // at any moment, which makes a recursive delete fail ("directory not empty"); a rename is atomic.
        var movedAway = _data.Path + ".gone";
        Directory.Move(_data.Path, movedAway);
        await File.WriteAllTextAsync(_data.Path, "not a folder", TestContext.Current.CancellationToken);
        try
        {
            var response = await _http.GetAsync("/readyz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            File.Delete(_data.Path);
            Directory.Move(movedAway, _data.Path);
        }
    }

    [Fact]
    public async Task Dashboard_refuses_an_anonymous_caller_that_is_not_on_the_machine()
    {
        // TestServer requests carry no loopback remote address: they stand for a remote browser.
        using var anonymous = _host.CreateClient();
        var page = await anonymous.GetAsync("/dashboard/DashboardCounters", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task Dashboard_page_and_its_data_endpoint_answer()
    {
        var page = await _http.GetAsync("/dashboard/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);

        // The dashboard samples the cluster every second or so: poll until the silo shows up.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var counters = await _http.GetAsync("/dashboard/DashboardCounters", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
            using var json = JsonDocument.Parse(await counters.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.True(json.RootElement.TryGetProperty("hosts", out var hosts), json.RootElement.ToString());
            if (hosts.EnumerateArray().Any(h => h.GetProperty("status").GetString() == "Active"))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the dashboard never listed an active silo: " + json.RootElement);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
