using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mirc.Api.Authentication;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary>Bearer validation over HTTP: valid tokens pass; forged, expired, wrong-issuer and wrong-audience tokens get 401.</summary>
public sealed class JwtAuthenticationTests(AuthTestHost host) : IClassFixture<AuthTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SigningKeyRing Keys => host.Services.GetRequiredService<SigningKeyRing>();

    private async Task<HttpStatusCode> CallProtectedAsync(string? token)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/test/protected");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private string Sign(Action<SecurityTokenDescriptor> customize, SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = AuthTestHost.Issuer,
            Audience = AuthTestHost.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "crafted", ["establishment"] = "EST-B", ["role"] = new[] { "Radiologist" } },
            SigningCredentials = credentials ?? Keys.SigningCredentials,
        };
        customize(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    [Fact]
    public async Task Issued_token_opens_the_protected_endpoint()
    {
        var token = await TokenClient.NewTokenAsync(host, MircRoles.Radiologist, cancellationToken: Ct);
        var jwt = new JsonWebToken(token);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(Keys.ActiveKeyId, jwt.Kid);
        Assert.Equal(AuthTestHost.Issuer, jwt.Issuer);
        Assert.Contains(AuthTestHost.Audience, jwt.Audiences);
        Assert.Equal("EST-B", jwt.GetClaim("establishment").Value);
        Assert.Equal("10000000099", jwt.GetClaim("rpps").Value);
        Assert.True(jwt.ValidTo - jwt.ValidFrom <= TimeSpan.FromMinutes(10));

        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var me = JsonDocument.Parse(await client.GetStringAsync("/api/auth/me", Ct));
        Assert.Equal("EST-B", me.RootElement.GetProperty("establishmentId").GetString());
        Assert.Equal(["Radiologist"], me.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(token));
    }

    [Fact]
    public async Task Missing_or_malformed_token_is_401() 
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync("not-a-jwt"));
    }

    [Fact]
    public async Task Crafted_token_signed_by_the_ring_passes_so_the_negative_cases_below_test_one_thing_each()
        => Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(Sign(_ => { })));

    [Fact]
    public async Task Forged_payload_is_401()
    {
        var token = await TokenClient.NewTokenAsync(host, MircRoles.Technician, cancellationToken: Ct);
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]))
            .Replace("\"Technician\"", "\"Radiologist\"", StringComparison.Ordinal);
        Assert.Contains("Radiologist", payload, StringComparison.Ordinal);
        var forged = string.Join('.', parts[0], Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)), parts[2]);

        Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(token));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(forged));
    }

    [Fact]
    public async Task Token_signed_by_a_foreign_key_with_our_kid_is_401()
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentials = new SigningCredentials(new ECDsaSecurityKey(foreign) { KeyId = Keys.ActiveKeyId }, SecurityAlgorithms.EcdsaSha256);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(Sign(_ => { }, credentials)));
    }

    [Fact]
    public async Task Unsigned_token_is_401()
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($"{{\"iss\":\"{AuthTestHost.Issuer}\",\"aud\":\"{AuthTestHost.Audience}\",\"sub\":\"x\",\"establishment\":\"EST-B\",\"role\":\"Radiologist\",\"exp\":{exp}}}");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync($"{header}.{payload}."));
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        var token = Sign(d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddHours(-2);
            d.NotBefore = d.IssuedAt;
            d.Expires = DateTime.UtcNow.AddMinutes(-5);
        });
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(token));
    }

    [Fact]
    public async Task Wrong_issuer_is_401() => Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(Sign(d => d.Issuer = "https://evil.example")));

    [Fact]
    public async Task Wrong_audience_is_401() => Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(Sign(d => d.Audience = "another-api")));

    [Fact]
    public async Task Token_without_establishment_or_role_is_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(Sign(d => d.Claims.Remove("establishment"))));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(Sign(d => d.Claims["role"] = new[] { "Janitor" })));
    }

    [Fact]
    public async Task Rotation_keeps_old_tokens_valid_until_the_key_is_retired()
    {
        var before = await TokenClient.NewTokenAsync(host, MircRoles.Physician, cancellationToken: Ct);
        var oldKid = new JsonWebToken(before).Kid;

        var newKid = await Keys.RotateAsync(Ct);
        Assert.NotEqual(oldKid, newKid);
        var after = await TokenClient.NewTokenAsync(host, MircRoles.Physician, cancellationToken: Ct);
        Assert.Equal(newKid, new JsonWebToken(after).Kid);
        Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(before));
        Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(after));

        using (var client = host.CreateClient())
        {
            var jwks = JsonDocument.Parse(await client.GetStringAsync("/api/auth/jwks", Ct));
            var kids = jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
            Assert.Contains(oldKid, kids);
            Assert.Contains(newKid, kids);
            Assert.DoesNotContain("\"d\"", jwks.RootElement.GetRawText(), StringComparison.Ordinal); // no private part
        }

        Assert.True(await Keys.RetireAsync(oldKid, Ct));
        Assert.False(await Keys.RetireAsync(newKid, Ct)); // the active key cannot be retired
        Assert.Equal(HttpStatusCode.Unauthorized, await CallProtectedAsync(before));
        Assert.Equal(HttpStatusCode.OK, await CallProtectedAsync(after));

        // Persisted: a new ring on the same file knows the same keys.
        var file = await File.ReadAllTextAsync(Keys.FilePath, Ct);
        Assert.Contains(newKid, file, StringComparison.Ordinal);
        Assert.DoesNotContain(oldKid, file, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Keys.FilePath));
        }
    }

    [Fact]
    public async Task Key_rotation_endpoint_is_for_platform_administrators()
    {
        var radiologist = await TokenClient.NewTokenAsync(host, MircRoles.Radiologist, cancellationToken: Ct);
        var admin = await TokenClient.NewTokenAsync(host, MircRoles.PlatformAdmin, "platform", Ct);
        using var client = host.CreateClient();

        using var refused = new HttpRequestMessage(HttpMethod.Post, "/api/auth/keys/rotate");
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", radiologist);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(refused, Ct)).StatusCode);

        var before = Keys.ActiveKeyId;
        using var allowed = new HttpRequestMessage(HttpMethod.Post, "/api/auth/keys/rotate");
        allowed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var response = await client.SendAsync(allowed, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(before, Keys.ActiveKeyId);
    }
}
