using System.Text.RegularExpressions;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Silo.Admin;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>The operator commands (<c>dotnet Mirc.Silo.dll admin …</c>) against a running silo, through its gateway.</summary>
public sealed partial class AdminCommandTests : IAsyncLifetime
{
    private readonly ApiHost _host = new();

    public ValueTask InitializeAsync()
    {
        _host.CreateClient().Dispose(); // starts the silo
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommand.RunAsync([.. args, $"--Mirc:GatewayPort={_host.GatewayPort}"], output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Reset_account_reissues_a_one_time_password_and_a_new_totp_enrolment_that_log_in()
    {
        var created = await RunAsync("create-account", "ops.user", "--establishment", ApiHost.DefaultEstablishmentId, "--roles", "Radiologist");
        Assert.True(created.Exit == 0, created.Error);
        var (firstPassword, firstSecret) = Credentials(created.Output);

        var reset = await RunAsync("reset-account", "ops.user");
        Assert.True(reset.Exit == 0, reset.Error);
        var (password, secret) = Credentials(reset.Output);
        Assert.NotEqual(firstPassword, password);
        Assert.NotEqual(firstSecret, secret);

        var account = _host.Grains.GetGrain<ILocalAccountGrain>("ops.user");
        var code = Totp.Compute(Base32.Decode(secret), Totp.StepAt(DateTimeOffset.UtcNow));
        var stale = await account.LoginAsync(new LoginAttempt { Password = firstPassword, TotpCode = code, Channel = "test" });
        Assert.Equal(LoginStatus.InvalidCredentials, stale.Status);
        // The one-time password is right (else InvalidCredentials) and must be replaced, as at first start.
        var fresh = await account.LoginAsync(new LoginAttempt { Password = password, TotpCode = code, Channel = "test" });
        Assert.Equal(LoginStatus.PasswordChangeRequired, fresh.Status);
    }

    [Fact]
    public async Task Reset_of_an_unknown_account_says_how_to_create_it()
    {
        var (exit, _, error) = await RunAsync("reset-account", "nobody-here");
        Assert.Equal(1, exit);
        Assert.Contains("create-account", error);
    }

    [Fact]
    public async Task Verify_audit_and_status_report_an_intact_chain_and_the_active_silo()
    {
        var audit = await RunAsync("verify-audit");
        Assert.True(audit.Exit == 0, audit.Error);
        Assert.Contains("\"IsIntact\": true", audit.Output);

        var status = await RunAsync("status");
        Assert.True(status.Exit == 0, status.Error);
        Assert.Contains("1 silo(s)", status.Output);
        Assert.Contains("Active", status.Output);
    }

    [Fact]
    public async Task Export_config_masks_secrets_and_needs_no_silo()
    {
        using var output = new StringWriter();
        var exit = await AdminCommand.RunAsync(["export-config", "--Mirc:Index:ConnectionString=Host=db;Password=hunter2", "--Mirc:Dicom:Port=11999"],
            output, TextWriter.Null, TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        Assert.Contains("\"Port\": \"11999\"", output.ToString());
        Assert.Contains("\"ConnectionString\": \"***\"", output.ToString());
        Assert.DoesNotContain("hunter2", output.ToString());
    }

    [Fact]
    public async Task Help_lists_the_commands_and_an_unknown_one_is_a_usage_error()
    {
        var help = await RunAsync("--help");
        Assert.Equal(0, help.Exit);
        foreach (var command in new[] { "status", "create-account", "reset-account", "verify-audit", "export-config" })
            Assert.Contains(command, help.Output);

        var unknown = await RunAsync("frobnicate");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("unknown admin command", unknown.Error);
    }

    private static (string Password, string Secret) Credentials(string output) =>
        (PasswordLine().Match(output).Groups[1].Value, SecretParameter().Match(output).Groups[1].Value);

    [GeneratedRegex(@"one-time password:\s+(\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"secret=([A-Z2-7]+)")]
    private static partial Regex SecretParameter();
}
