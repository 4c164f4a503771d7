using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Interfaces.Security;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Security;

/// <summary>One real host with the shipped configuration, shared by <see cref="SecuredHostTests"/>.</summary>
public sealed class ShippedConfigurationHost : IAsyncLifetime
{
    private readonly TempDataFolder _data = new();

    public MircHostFactory Host { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Host = new MircHostFactory(_data.Path);
        _ = Host.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>The real host with its shipped configuration: security is on by default on every HTTP path.</summary>
public sealed class SecuredHostTests(ShippedConfigurationHost fixture) : IClassFixture<ShippedConfigurationHost>
{
    private MircHostFactory Host => fixture.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/auth/jwks")]
    public async Task Health_documentation_and_public_keys_stay_public(string path)
    {
        using var anonymous = Host.CreateClient();
        using var response = await anonymous.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/dicomweb/studies")]
    [InlineData("/api/establishments/750000001")]
    [InlineData("/api/security/audit/verify")]
    [InlineData("/api/patients/P1/consent")]
    [InlineData("/dashboard/")]
    public async Task Protected_paths_answer_401_without_a_token(string path)
    {
        using var anonymous = Host.CreateClient();
        using var response = await anonymous.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_is_for_platform_administrators_only()
    {
        using var radiologist = Host.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist, "10000000001"));
        using var refused = await radiologist.GetAsync("/dashboard/", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var admin = Host.CreatePlatformAdminClient();
        using var page = await admin.GetAsync("/dashboard/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Audit_chain_verifies_for_an_administrator()
    {
        using var admin = Host.CreatePlatformAdminClient();
        using var response = await admin.GetAsync("/api/security/audit/verify", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"isIntact\":true", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seeded_professional_gets_a_local_account_that_must_change_its_password()
    {
        // appsettings.json seeds "radiologue" (Radiologist of the demo establishment) with a generated one-time password.
        var account = Host.Services.GetRequiredService<IGrainFactory>().GetGrain<ILocalAccountGrain>("radiologue");
        LocalAccountProfile? profile = null;
        for (var i = 0; i < 50 && profile is null; i++)
        {
            profile = await account.GetProfileAsync();
            if (profile is null) await Task.Delay(100, Ct);
        }

        Assert.NotNull(profile);
        Assert.Equal("750000001", profile.EstablishmentId);
        Assert.Equal(MircRoles.Radiologist, profile.Roles);
        Assert.Equal("10000000001", profile.Rpps);

        using var anonymous = Host.CreateClient();
        using var wrong = await anonymous.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "radiologue", ["password"] = "not-the-one-time-password", ["totp"] = "000000",
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("invalid_grant", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
