using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>Signing keys live in the archive's blob store, so every silo of a cluster signs and validates with the same ring.</summary>
public sealed class SharedSigningKeyTests(SecureHostFixture fixture) : IClassFixture<SecureHostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rotation_by_another_silo_is_picked_up_and_its_tokens_accepted()
    {
        var host = fixture.Host;
        var hostRing = host.Services.GetRequiredService<SigningKeyRing>();
        Assert.Contains("grainstate", hostRing.Location, StringComparison.Ordinal);
        Assert.False(File.Exists(hostRing.FilePath)); // not the per-host file

        // A second ring on the same blob store stands for another silo.
        using var otherSilo = new SigningKeyRing(host.Services.GetRequiredService<IOptions<MircAuthOptions>>(), TimeProvider.System,
            NullLogger<SigningKeyRing>.Instance, host.Services);
        await otherSilo.LoadAsync(Ct);
        Assert.Equal(hostRing.ActiveKeyId, otherSilo.ActiveKeyId);

        var oldToken = host.MintToken(ApiHost.DefaultPrincipal);
        var newKid = await otherSilo.RotateAsync(Ct);
        Assert.NotEqual(hostRing.ActiveKeyId, newKid);

        await hostRing.LoadAsync(Ct); // what the loader does every ReloadInterval
        Assert.Equal(newKid, hostRing.ActiveKeyId);

        using var client = host.CreateAnonymousClient();
        foreach (var token in new[] { oldToken, host.MintToken(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Radiologist, "10000000555")) })
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync("/api/auth/me", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
