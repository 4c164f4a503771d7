using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirc.Api.Authentication;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Api.Tests.Authentication;

/// <summary>
/// A minimal host with Orleans (own free ports, in-memory "archive" storage), <c>AddMircAuthentication</c>, the
/// token endpoint and one protected endpoint, served by TestServer. (The silo host is wired in round 2.)
/// </summary>
public sealed class AuthTestHost : IAsyncLifetime
{
    public const string Issuer = "mirc-test-issuer";
    public const string Audience = "mirc-test-api";

    private WebApplication? _app;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("mirc-auth-").FullName;

    public Dictionary<string, string> AeTitles { get; } = new(StringComparer.Ordinal) { ["CT_A"] = "EST-A", ["PACS_B"] = "EST-B" };

    public IServiceProvider Services => _app!.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public HttpClient CreateClient() => _app!.GetTestClient();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mirc:DataPath"] = DataPath,
            ["Mirc:Auth:Issuer"] = Issuer,
            ["Mirc:Auth:Audience"] = Audience,
            ["Mirc:Auth:TokenLifetime"] = "00:10:00",
            ["Mirc:Auth:BootstrapAdministrator"] = "false",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "auth-" + siloPort, clusterId: "auth-" + siloPort);
            silo.AddMemoryGrainStorage("archive");
        });
        builder.Services.AddSingleton<IAeTitleDirectory>(new DictionaryAeTitleDirectory(AeTitles));
        builder.Services.AddMircAuthentication(builder.Configuration);

        _app = builder.Build();
        _app.MapMircAuthentication();
        _app.MapMircAuditEndpoints();
        _app.MapGet("/test/protected", (HttpContext context) => context.GetProfessionalPrincipal() is { } p
                ? Results.Ok(new { p.Subject, p.EstablishmentId, p.Rpps, Roles = p.Roles.ToString() })
                : Results.StatusCode(500))
            .RequireAuthorization(MircPolicies.Authenticated);
        await _app.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort() => Mirc.Testing.LoopbackPorts.Next();

    private sealed class DictionaryAeTitleDirectory(Dictionary<string, string> map) : IAeTitleDirectory
    {
        public Task<string?> FindEstablishmentAsync(string aeTitle, CancellationToken cancellationToken = default) =>
            Task.FromResult(map.TryGetValue(aeTitle, out var establishment) ? establishment : null);
    }
}

/// <summary>Local accounts for tests, with their TOTP secret.</summary>
internal static class TestAccounts
{
    public const string Password = "Violet-Canyon-Ferry-31";

    public static async Task<byte[]> CreateAsync(IGrainFactory grains, string username, MircRoles roles, string establishment = "EST-B", string? rpps = "10000000099")
    {
        var enrolment = await grains.GetGrain<ILocalAccountGrain>(username).CreateAsync(
            new LocalAccountProfile { Username = username, EstablishmentId = establishment, Roles = roles, Rpps = rpps, DisplayName = "Dr " + username },
            Password,
            mustChangePassword: false);
        return Base32.Decode(enrolment.SecretBase32);
    }
}

/// <summary>Token requests against the test host.</summary>
internal static class TokenClient
{
    /// <summary>A current code, computed by Otp.NET (what authenticator apps implement) rather than by our own code.</summary>
    public static string Code(byte[] secret) => new OtpNet.Totp(secret).ComputeTotp(DateTime.UtcNow);

    public static Task<HttpResponseMessage> RequestAsync(HttpClient client, string username, string password, string totp, CancellationToken cancellationToken) =>
        client.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = username,
            ["password"] = password,
            ["totp"] = totp,
        }), cancellationToken);

    /// <summary>Creates a fresh account (a TOTP code is single-use, so each token gets its own account) and returns a token.</summary>
    public static async Task<string> NewTokenAsync(AuthTestHost host, MircRoles roles, string establishment = "EST-B", CancellationToken cancellationToken = default)
    {
        var username = "user-" + Guid.NewGuid().ToString("N")[..12];
        var secret = await TestAccounts.CreateAsync(host.Grains, username, roles, establishment);
        using var client = host.CreateClient();
        using var response = await RequestAsync(client, username, TestAccounts.Password, Code(secret), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
