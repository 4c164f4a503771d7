using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Security.Secrets;
using Xunit;

namespace Mirc.Grains.Tests.Security;

public sealed partial class AdministratorBootstrapTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task First_start_writes_one_time_credentials_once_to_a_private_file_and_they_must_be_changed()
    {
        var settings = new LocalAccountOptions { AdministratorUsername = "root-admin" };
        var folder = Directory.CreateTempSubdirectory("mirc-first-start-");
        try
        {
            var path = Path.Combine(folder.FullName, "security", "first-start-credentials.txt");
            var file = new FirstStartCredentialsFile(Options.Create(new FirstStartCredentialsOptions { Path = path }), NullLogger<FirstStartCredentialsFile>.Instance);
            var bootstrap = new AdministratorBootstrap(
                cluster.Grains,
                cluster.SiloServices.GetRequiredService<IHostApplicationLifetime>(),
                Options.Create(settings),
                file,
                NullLogger<AdministratorBootstrap>.Instance);
            var stdout = Console.Out;
            using var console = new StringWriter();
            Console.SetOut(console);
            try
            {
                await bootstrap.EnsureAdministratorAsync(settings, TestContext.Current.CancellationToken);
            }
            finally
            {
                Console.SetOut(stdout);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
            var password = PasswordLine().Match(text).Groups[1].Value;
            var uri = new Uri(UriLine().Match(text).Groups[1].Value);
            var secretText = Regex.Match(uri.Query, "secret=([A-Z2-7]+)").Groups[1].Value;
            var secret = Base32.Decode(secretText);
            Assert.Equal(20, password.Length);
            Assert.DoesNotContain(password, console.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secretText, console.ToString(), StringComparison.Ordinal);

            var account = cluster.Grains.GetGrain<ILocalAccountGrain>("root-admin");
            Assert.Equal(MircRoles.PlatformAdmin, (await account.GetProfileAsync())!.Roles);
            var code = Totp.Compute(secret, Totp.StepAt(cluster.Clock.GetUtcNow()));
            Assert.Equal(LoginStatus.PasswordChangeRequired, (await account.LoginAsync(new LoginAttempt { Password = password, TotpCode = code })).Status);

            await bootstrap.EnsureAdministratorAsync(settings, TestContext.Current.CancellationToken);
            Assert.Equal(text, await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"one-time password:\s+(\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"TOTP enrolment URI:\s+(\S+)")]
    private static partial Regex UriLine();
}
