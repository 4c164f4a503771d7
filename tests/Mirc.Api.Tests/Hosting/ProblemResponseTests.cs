using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>Every 4xx of the API carries a problem body that says why and what to do.</summary>
public sealed class ProblemResponseTests : IAsyncLifetime
{
    private readonly ApiHost _host = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task A_request_without_a_token_is_told_how_to_get_one()
    {
        using var anonymous = _host.CreateAnonymousClient();
        var response = await anonymous.GetAsync("/dicomweb/studies", TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("POST /api/auth/token", problem.GetProperty("detail").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_refused_role_names_the_roles_the_operation_needs_and_the_ones_held()
    {
        using var radiologist = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Radiologist));
        var response = await radiologist.GetAsync("/api/security/audit/verify", TestContext.Current.CancellationToken);

        var detail = (await ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!;
        Assert.Contains("PlatformAdmin", detail);
        Assert.Contains("DataProtectionOfficer", detail);
        Assert.Contains("your token carries the role(s) Radiologist", detail);
    }

    [Fact]
    public async Task An_unknown_route_points_at_the_reference()
    {
        var response = await _host.CreateClient().GetAsync("/api/no-such-thing", TestContext.Current.CancellationToken);

        var detail = (await ProblemAsync(response, HttpStatusCode.NotFound)).GetProperty("detail").GetString()!;
        Assert.Contains("/docs", detail);
    }

    [Fact]
    public async Task A_single_part_dicom_stow_body_is_told_to_use_multipart()
    {
        using var body = new ByteArrayContent([0, 1, 2, 3]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        var response = await _host.CreateClient().PostAsync("/dicomweb/studies", body, TestContext.Current.CancellationToken);

        var detail = (await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString()!;
        Assert.Contains("multipart/related", detail);
        Assert.Contains("storescu", detail);
    }

    [Fact]
    public async Task An_unknown_consent_kind_lists_the_valid_kinds()
    {
        using var content = new StringContent("""{"kind":"Maybe","reason":"test"}""", System.Text.Encoding.UTF8, "application/json");
        var response = await _host.CreateClient().PostAsync("/api/patients/P-UNKNOWN/consent", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var kind in Enum.GetNames<ConsentChangeKind>())
            Assert.Contains(kind, text);
    }
}
