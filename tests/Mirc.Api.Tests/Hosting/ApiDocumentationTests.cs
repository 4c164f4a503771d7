using System.Net;
using System.Text.Json;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

public sealed class ApiDocumentationTests : IAsyncLifetime
{
    private readonly ApiHost _host = new(new Dictionary<string, string>
    {
        ["Mirc:Api:Cors:AllowedOrigins:0"] = "https://viewer.example.org",
    });
    private HttpClient _http = null!;

    public ValueTask InitializeAsync()
    {
        _http = _host.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task OpenApi_document_lists_the_dicomweb_and_management_routes()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await _http.GetAsync("/openapi/v1.json", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var paths = json.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/dicomweb/studies", "/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", "/wado", "/api/establishments", "/api/patients" })
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
    }

    [Fact]
    public async Task Reference_page_is_served_at_docs()
    {
        var response = await _http.GetAsync("/docs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cors_preflight_allows_the_configured_origin_only()
    {
        var ct = TestContext.Current.CancellationToken;
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/dicomweb/studies");
        allowed.Headers.Add("Origin", "https://viewer.example.org");
        allowed.Headers.Add("Access-Control-Request-Method", "GET");
        var ok = await _http.SendAsync(allowed, ct);
        Assert.Equal("https://viewer.example.org", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var refused = new HttpRequestMessage(HttpMethod.Options, "/dicomweb/studies");
        refused.Headers.Add("Origin", "https://evil.example.org");
        refused.Headers.Add("Access-Control-Request-Method", "GET");
        var denied = await _http.SendAsync(refused, ct);
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
