using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary><c>POST /api/auth/token</c>: password + TOTP, lock-out, OAuth2 error shapes, nothing secret in the audit trail.</summary>
public sealed class TokenEndpointTests(AuthTestHost host) : IClassFixture<AuthTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("error").GetString();
    }

    [Fact]
    public async Task Json_body_is_accepted_and_response_is_not_cached()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "json-user", MircRoles.Technician);
        using var client = host.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/token",
            new { username = "JSON-User ", password = TestAccounts.Password, totp = TokenClient.Code(secret) }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        Assert.Equal(600, json.RootElement.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("access_token").GetString()!.Split('.').Length);
    }

    [Fact]
    public async Task Wrong_password_wrong_code_and_missing_fields_are_refused()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "refused-user", MircRoles.Technician);
        using var client = host.CreateClient();
        var code = TokenClient.Code(secret);

        using var wrongPassword = await TokenClient.RequestAsync(client, "refused-user", "Not-The-Password-1", code, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        Assert.Equal("invalid_grant", await ErrorOf(wrongPassword));

        using var wrongCode = await TokenClient.RequestAsync(client, "refused-user", TestAccounts.Password, code == "123456" ? "654321" : "123456", Ct);
        Assert.Equal("invalid_grant", await ErrorOf(wrongCode));

        using var unknown = await TokenClient.RequestAsync(client, "nobody-here", TestAccounts.Password, code, Ct);
        Assert.Equal("invalid_grant", await ErrorOf(unknown));

        using var missing = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "refused-user" }), Ct);
        Assert.Equal("invalid_request", await ErrorOf(missing));

        using var grant = await client.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }), Ct);
        Assert.Equal("unsupported_grant_type", await ErrorOf(grant));
    }

    [Fact]
    public async Task Five_failures_lock_out_even_the_right_credentials()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "locked-user", MircRoles.Radiologist);
        using var client = host.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var failure = await TokenClient.RequestAsync(client, "locked-user", "Wrong-Password-" + i, TokenClient.Code(secret), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, failure.StatusCode);
        }

        using var locked = await TokenClient.RequestAsync(client, "locked-user", TestAccounts.Password, TokenClient.Code(secret), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, locked.StatusCode);
        Assert.Equal("invalid_grant", await ErrorOf(locked));

        var audit = host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        var records = await audit.QueryAsync(new AuditFilter { ActorId = "locked-user", Actions = [AuditAction.Login] }, Ct);
        Assert.Equal(6, records.Count);
        Assert.All(records, r => Assert.Equal(AuditOutcome.Denied, r.Event.Outcome));
        Assert.Contains("locked", records[^1].Event.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_trail_never_holds_passwords_or_tokens()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "audited-user", MircRoles.Radiologist);
        using var client = host.CreateClient();
        using var failed = await TokenClient.RequestAsync(client, "audited-user", "Typo-Violet-Canyon-31", TokenClient.Code(secret), Ct);
        using var ok = await TokenClient.RequestAsync(client, "audited-user", TestAccounts.Password, TokenClient.Code(secret), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync(Ct));
        var token = json.RootElement.GetProperty("access_token").GetString()!;

        var audit = host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        using var export = new MemoryStream();
        await audit.ExportJsonLinesAsync(export, new AuditFilter(), Ct);
        var text = Encoding.UTF8.GetString(export.ToArray());

        Assert.Contains("audited-user", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestAccounts.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Typo-Violet-Canyon-31", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain(Base32Of(secret), text, StringComparison.Ordinal);
    }

    private static string Base32Of(byte[] secret) => Mirc.Grains.Security.Base32.Encode(secret);
}
