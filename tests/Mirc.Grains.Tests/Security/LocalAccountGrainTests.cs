using System.Text;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Grains.Tests.Security;

public sealed class LocalAccountGrainTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    private const string Password = "Blue-Harbour-Lantern-42";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(ILocalAccountGrain Account, byte[] Secret)> CreateAsync(string username, bool mustChange = false, MircRoles roles = MircRoles.Radiologist)
    {
        var account = cluster.Grains.GetGrain<ILocalAccountGrain>(username);
        var enrolment = await account.CreateAsync(
            new LocalAccountProfile { Username = username, EstablishmentId = "EST-A", Roles = roles, Rpps = "10001234567" },
            Password,
            mustChange);
        Assert.StartsWith("otpauth://totp/", enrolment.OtpAuthUri, StringComparison.Ordinal);
        return (account, Base32.Decode(enrolment.SecretBase32));
    }

    private string Code(byte[] secret) => Totp.Compute(secret, Totp.StepAt(cluster.Clock.GetUtcNow()));

    private static LoginAttempt Attempt(string password, string code, string? newPassword = null) =>
        new() { Password = password, TotpCode = code, NewPassword = newPassword, Source = "127.0.0.1" };

    [Fact]
    public async Task Password_and_totp_log_in_and_a_code_is_single_use()
    {
        var (account, secret) = await CreateAsync("alice");

        var code = Code(secret);
        var result = await account.LoginAsync(Attempt(Password, code));
        Assert.Equal(LoginStatus.Succeeded, result.Status);
        Assert.Equal("alice", result.Principal!.Subject);
        Assert.Equal("EST-A", result.Principal.EstablishmentId);
        Assert.Equal(MircRoles.Radiologist, result.Principal.Roles);

        Assert.Equal(LoginStatus.InvalidCredentials, (await account.LoginAsync(Attempt(Password, code))).Status);

        cluster.Clock.Advance(Totp.Step);
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);
    }

    [Fact]
    public async Task An_establishment_admin_updates_its_accounts_only_within_its_establishment_and_grantable_roles()
    {
        var (account, _) = await CreateAsync("upd-" + Guid.NewGuid().ToString("N")[..8]);
        var profile = (await account.GetProfileAsync())!;
        var admin = TestPrincipals.Make(MircRoles.EstablishmentAdmin, "EST-A", "admin-a");

        await account.UpdateProfileAsync(admin, profile with { Roles = MircRoles.Radiologist | MircRoles.Physician });
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => account.UpdateProfileAsync(admin, profile with { Roles = MircRoles.PlatformAdmin }));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => account.UpdateProfileAsync(admin, profile with { Roles = MircRoles.DataProtectionOfficer }));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => account.UpdateProfileAsync(admin, profile with { EstablishmentId = "EST-B" }));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            account.UpdateProfileAsync(TestPrincipals.Make(MircRoles.EstablishmentAdmin, "EST-B", "admin-b"), profile with { EstablishmentId = "EST-B" }));
        Assert.Equal(MircRoles.Radiologist | MircRoles.Physician, (await account.GetProfileAsync())!.Roles);
        Assert.Equal("EST-A", (await account.GetProfileAsync())!.EstablishmentId);

        await account.UpdateProfileAsync(TestPrincipals.Make(MircRoles.PlatformAdmin, "platform", "root"), profile with { EstablishmentId = "EST-B" });
        Assert.Equal("EST-B", (await account.GetProfileAsync())!.EstablishmentId);
    }

    [Fact]
    public async Task Wrong_factor_is_refused()
    {
        var (account, secret) = await CreateAsync("bob");
        var code = Code(secret);
        var wrongCode = code == "000000" ? "000001" : "000000";

        Assert.Equal(LoginStatus.InvalidCredentials, (await account.LoginAsync(Attempt(Password + "x", code))).Status);
        Assert.Equal(LoginStatus.InvalidCredentials, (await account.LoginAsync(Attempt(Password, wrongCode))).Status);
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt(Password, code))).Status);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_fifteen_minutes()
    {
        var (account, secret) = await CreateAsync("carol");
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(LoginStatus.InvalidCredentials, (await account.LoginAsync(Attempt("wrong-password-" + i, Code(secret)))).Status);
        }

        var locked = await account.LoginAsync(Attempt("wrong-password-5", Code(secret)));
        Assert.Equal(LoginStatus.LockedOut, locked.Status);
        Assert.Equal(cluster.Clock.GetUtcNow() + TimeSpan.FromMinutes(15), locked.LockedUntil);

        // Even the right credentials are refused while locked.
        Assert.Equal(LoginStatus.LockedOut, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);

        cluster.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(LoginStatus.LockedOut, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);

        cluster.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);
    }

    [Fact]
    public async Task Administrator_unlocks_and_non_administrator_cannot()
    {
        var (account, secret) = await CreateAsync("erin");
        for (var i = 0; i < 5; i++)
        {
            await account.LoginAsync(Attempt("nope-nope-nope", Code(secret)));
        }

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => account.UnlockAsync(TestPrincipals.Make(MircRoles.Radiologist, "EST-A")));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => account.UnlockAsync(TestPrincipals.Make(MircRoles.EstablishmentAdmin, "EST-B")));
        await account.UnlockAsync(TestPrincipals.Make(MircRoles.EstablishmentAdmin, "EST-A"));
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);
    }

    [Fact]
    public async Task One_time_password_must_be_replaced_at_first_login()
    {
        var (account, secret) = await CreateAsync("dave", mustChange: true);

        Assert.Equal(LoginStatus.PasswordChangeRequired, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);
        cluster.Clock.Advance(Totp.Step);
        Assert.Equal(LoginStatus.WeakNewPassword, (await account.LoginAsync(Attempt(Password, Code(secret), "short"))).Status);
        cluster.Clock.Advance(Totp.Step);
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt(Password, Code(secret), "Granite-Meadow-Orbit-77"))).Status);
        cluster.Clock.Advance(Totp.Step);
        Assert.Equal(LoginStatus.InvalidCredentials, (await account.LoginAsync(Attempt(Password, Code(secret)))).Status);
        cluster.Clock.Advance(Totp.Step);
        Assert.Equal(LoginStatus.Succeeded, (await account.LoginAsync(Attempt("Granite-Meadow-Orbit-77", Code(secret)))).Status);
    }

    [Fact]
    public async Task Logins_are_audited_without_passwords_or_codes()
    {
        var (account, secret) = await CreateAsync("frank");
        var goodCode = Code(secret);
        await account.LoginAsync(Attempt("Secret-Typo-Password-9", goodCode));
        await account.LoginAsync(Attempt(Password, goodCode));
        Assert.Equal(LoginStatus.InvalidCredentials, (await cluster.Grains.GetGrain<ILocalAccountGrain>("nobody").LoginAsync(Attempt(Password, goodCode))).Status);

        await cluster.Audit.FlushAsync(Ct);
        var logins = await cluster.Audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Login] }, Ct);
        Assert.Contains(logins, r => r.Event.ActorId == "frank" && r.Event.Outcome == AuditOutcome.Denied && r.Event.Detail!.Contains("wrong password", StringComparison.Ordinal));
        Assert.Contains(logins, r => r.Event.ActorId == "frank" && r.Event.Outcome == AuditOutcome.Success && r.Event.Source == "127.0.0.1");
        Assert.Contains(logins, r => r.Event.ActorId == "nobody" && r.Event.Outcome == AuditOutcome.Denied);

        using var export = new MemoryStream();
        await cluster.Audit.ExportJsonLinesAsync(export, new AuditFilter(), Ct);
        var text = Encoding.UTF8.GetString(export.ToArray());
        Assert.Contains("\"frank\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-Typo-Password-9", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Encoding.ASCII.GetString(secret), text, StringComparison.Ordinal);
        Assert.All(logins, r => Assert.DoesNotContain(goodCode, r.Event.Detail ?? "", StringComparison.Ordinal));
    }
}
