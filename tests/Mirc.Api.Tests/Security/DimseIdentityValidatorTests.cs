using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.Authentication;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>DIMSE callers: calling AE → establishment, optional user identity (username + password·TOTP, or JWT).</summary>
public sealed class DimseIdentityValidatorTests(AuthTestHost host) : IClassFixture<AuthTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDimseIdentityValidator Validator => host.Services.GetRequiredService<IDimseIdentityValidator>();

    [Fact]
    public async Task Calling_ae_alone_gives_a_device_of_its_establishment()
    {
        var result = await Validator.ValidateAsync(new DimseIdentityRequest("CT_A", "10.0.0.7:4242"), Ct);
        Assert.True(result.IsAccepted);
        Assert.Equal("EST-A", result.Principal!.EstablishmentId);
        Assert.Equal(MircRoles.Device, result.Principal.Roles);
        Assert.Equal("ae:CT_A", result.Principal.Subject);

        Assert.False((await Validator.ValidateAsync(new DimseIdentityRequest("UNKNOWN_AE", null), Ct)).IsAccepted);
        Assert.False((await Validator.ValidateAsync(new DimseIdentityRequest("  ", null), Ct)).IsAccepted);
    }

    [Fact]
    public async Task Username_and_passcode_carry_password_and_totp()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "dimse-rad", MircRoles.Radiologist, "EST-B");
        var code = TokenClient.Code(secret);

        var wrong = await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.UsernameAndPasscode, "dimse-rad", "Bad-Password-00" + code), Ct);
        Assert.False(wrong.IsAccepted);
        var noCode = await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.UsernameAndPasscode, "dimse-rad", TestAccounts.Password), Ct);
        Assert.False(noCode.IsAccepted);

        var ok = await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", "10.0.0.8", DimseUserIdentityType.UsernameAndPasscode, "dimse-rad", TestAccounts.Password + code), Ct);
        Assert.True(ok.IsAccepted, ok.FailureReason);
        Assert.Equal("dimse-rad", ok.Principal!.Subject);
        Assert.Equal(MircRoles.Radiologist, ok.Principal.Roles);
    }

    [Fact]
    public async Task User_of_another_establishment_cannot_use_this_ae()
    {
        var secret = await TestAccounts.CreateAsync(host.Grains, "dimse-stranger", MircRoles.Radiologist, "EST-B");
        var result = await Validator.ValidateAsync(new DimseIdentityRequest("CT_A", null, DimseUserIdentityType.UsernameAndPasscode, "dimse-stranger", TestAccounts.Password + TokenClient.Code(secret)), Ct);
        Assert.False(result.IsAccepted);
        Assert.Contains("does not belong", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_identity_uses_the_http_token_rules()
    {
        var token = await TokenClient.NewTokenAsync(host, MircRoles.Physician, "EST-B", Ct);
        var ok = await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.Jwt, token), Ct);
        Assert.True(ok.IsAccepted, ok.FailureReason);
        Assert.Equal(MircRoles.Physician, ok.Principal!.Roles);

        var tampered = token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        Assert.False((await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.Jwt, tampered), Ct)).IsAccepted);
        Assert.False((await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.Username, "someone"), Ct)).IsAccepted);
        Assert.False((await Validator.ValidateAsync(new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.Saml, "<saml/>"), Ct)).IsAccepted);
    }

    [Fact]
    public void Request_text_never_shows_the_passcode()
    {
        var request = new DimseIdentityRequest("PACS_B", null, DimseUserIdentityType.UsernameAndPasscode, "u", "Secret-Passcode-123456");
        Assert.DoesNotContain("Secret-Passcode", request.ToString(), StringComparison.Ordinal);
    }
}
