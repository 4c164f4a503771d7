using System.Text;
using Mirc.Grains.Security;
using Xunit;

namespace Mirc.Grains.Tests.Security;

public sealed class TotpTests
{
    // RFC 6238 appendix B, SHA-1 seed.
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Matches_rfc_6238_vectors(long unixSeconds, string expected8Digits)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        Assert.Equal(expected8Digits, Totp.Compute(RfcSecret, step, digits: 8));
        Assert.Equal(expected8Digits[2..], Totp.Compute(RfcSecret, step));
    }

    [Fact]
    public void Accepts_one_step_of_drift_only()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepAt(now);
        Assert.Equal(step, Totp.Match(RfcSecret, Totp.Compute(RfcSecret, step), now));
        Assert.Equal(step - 1, Totp.Match(RfcSecret, Totp.Compute(RfcSecret, step - 1), now));
        Assert.Equal(step + 1, Totp.Match(RfcSecret, Totp.Compute(RfcSecret, step + 1), now));
        Assert.Null(Totp.Match(RfcSecret, Totp.Compute(RfcSecret, step - 3), now));
        Assert.Null(Totp.Match(RfcSecret, "12345", now));
        Assert.Null(Totp.Match(RfcSecret, null, now));
    }

    [Fact]
    public void Base32_round_trips_and_enrolment_uri_is_well_formed()
    {
        var secret = Totp.NewSecret();
        var text = Base32.Encode(secret);
        Assert.Equal(32, text.Length);
        Assert.Equal(secret, Base32.Decode(text.ToLowerInvariant()));
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Base32.Encode(RfcSecret));

        var uri = new Uri(Totp.EnrolmentUri("MIRC Region", "admin", text));
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        Assert.Contains("secret=" + text, uri.Query, StringComparison.Ordinal);
        Assert.Contains("period=30", uri.Query, StringComparison.Ordinal);
    }
}
