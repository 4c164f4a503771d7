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
        foreach (var path in new[] { "/dicomweb/studies", "/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", "/wado", "/api/establishments", "/api/patients", "/api/changefeed", "/api/changefeed/latest" })
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

    [Fact]
    public async Task Every_operation_has_a_summary_and_protected_ones_declare_the_bearer_scheme()
    {
        var ct = TestContext.Current.CancellationToken;
        using var json = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json", ct));
        var root = json.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var missing = new List<string>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            Assert.False(path.Name.StartsWith("/dashboard", StringComparison.Ordinal), $"dashboard internal {path.Name} is in the API reference");
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name != "parameters"))
            {
                if (!operation.Value.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
                    missing.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
            }
        }

        Assert.Empty(missing);
        var studies = root.GetProperty("paths").GetProperty("/dicomweb/studies").GetProperty("get");
        Assert.Contains(studies.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("Bearer", out _));
        var token = root.GetProperty("paths").GetProperty("/api/auth/token").GetProperty("post");
        Assert.False(token.TryGetProperty("security", out _), "the token endpoint is public");
    }

    [Fact]
    public async Task The_root_links_to_the_reference_the_dashboard_and_the_health_endpoints()
    {
        using var anonymous = _host.CreateAnonymousClient();
        var response = await anonymous.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var link in new[] { "href=\"/docs\"", "href=\"/dashboard/\"", "href=\"/healthz\"", "href=\"/readyz\"" })
            Assert.Contains(link, html);
    }

    [Fact]
    public async Task The_reference_page_turns_off_the_hosted_ai_and_sdk_features()
    {
        var html = await _http.GetStringAsync("/docs", TestContext.Current.CancellationToken);
        // Scalar renders its configuration into the page as JSON.
        Assert.Contains("\"hideClientButton\":true", html);
        Assert.Contains("\"telemetry\":false", html);
        Assert.Contains("\"showDeveloperTools\":\"never\"", html);
    }

    [Fact]
    public async Task Every_request_body_and_route_parameter_has_an_example_naming_only_properties_of_its_schema()
    {
        var ct = TestContext.Current.CancellationToken;
        using var json = JsonDocument.Parse(await _http.GetStringAsync("/openapi/v1.json", ct));
        var root = json.RootElement;
        var problems = new List<string>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name != "parameters"))
            {
                var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                foreach (var parameter in operation.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : default)
                {
                    if (parameter.GetProperty("in").GetString() == "path" && !parameter.TryGetProperty("example", out _))
                        problems.Add($"{name}: no example for path parameter {parameter.GetProperty("name").GetString()}");
                }

                if (!operation.Value.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content)
                    || !content.TryGetProperty("application/json", out var media))
                    continue;
                if (!media.TryGetProperty("example", out var example))
                {
                    problems.Add($"{name}: no request example");
                    continue;
                }

                if (!media.TryGetProperty("schema", out var declared) || !Resolve(root, declared).TryGetProperty("properties", out var properties))
                    continue;
                foreach (var property in example.EnumerateObject().Where(p => !properties.TryGetProperty(p.Name, out _)))
                    problems.Add($"{name}: the example names '{property.Name}', which the schema does not have");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // The token endpoint reads its body itself: its example is there too, for JSON and the form.
        var token = root.GetProperty("paths").GetProperty("/api/auth/token").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal("radiologue", token.GetProperty("application/x-www-form-urlencoded").GetProperty("example").GetProperty("username").GetString());
    }

    private static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference))
            return schema;
        var element = root;
        foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
            element = element.GetProperty(part);
        return element;
    }
}
