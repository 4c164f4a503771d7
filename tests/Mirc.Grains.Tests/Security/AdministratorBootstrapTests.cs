using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Grains.Tests.Security;

public sealed partial class AdministratorBootstrapTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    [Fact]
    public async Task First_start_prints_one_time_credentials_once_and_they_must_be_changed()
    {
        var settings = new LocalAccountOptions { AdministratorUsername = "root-admin" };
        var bootstrap = new AdministratorBootstrap(
            cluster.Grains,
            cluster.SiloServices.GetRequiredService<IHostApplicationLifetime>(),
            Options.Create(settings),
            NullLogger<AdministratorBootstrap>.Instance);
        using var first = new StringWriter();
        bootstrap.Output = first;
        await bootstrap.EnsureAdministratorAsync(settings, TestContext.Current.CancellationToken);

        var text = first.ToString();
        var password = PasswordLine().Match(text).Groups[1].Value;
        var uri = new Uri(UriLine().Match(text).Groups[1].Value);
        var secret = Base32.Decode(Regex.Match(uri.Query, "secret=([A-Z2-7]+)").Groups[1].Value);
        Assert.Equal(20, password.Length);

        var account = cluster.Grains.GetGrain<ILocalAccountGrain>("root-admin");
        Assert.Equal(MircRoles.PlatformAdmin, (await account.GetProfileAsync())!.Roles);
        var code = Totp.Compute(secret, Totp.StepAt(cluster.Clock.GetUtcNow()));
        Assert.Equal(LoginStatus.PasswordChangeRequired, (await account.LoginAsync(new LoginAttempt { Password = password, TotpCode = code })).Status);

        using var second = new StringWriter();
        bootstrap.Output = second;
        await bootstrap.EnsureAdministratorAsync(settings, TestContext.Current.CancellationToken);
        Assert.Equal("", second.ToString());
    }

    [GeneratedRegex(@"one-time password:\s+(\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"TOTP enrolment URI:\s+(\S+)")]
    private static partial Regex UriLine();
}
