using Mirc.Grains.Audit;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

public sealed class AuditDetailScrubberTests
{
    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "eyJhbGci")]
    [InlineData("login password=Hunter2-Secret&totp=123456", "Hunter2-Secret")]
    [InlineData("login password=Hunter2-Secret&totp=123456", "123456")]
    [InlineData("passcode: s3cr3t-value", "s3cr3t-value")]
    [InlineData("Basic dXNlcjpwYXNz", "dXNlcjpwYXNz")]
    public void Secrets_are_removed(string text, string secret)
    {
        var scrubbed = AuditDetailScrubber.Scrub(text)!;
        Assert.DoesNotContain(secret, scrubbed, StringComparison.Ordinal);
        Assert.Contains(AuditDetailScrubber.Redacted, scrubbed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http-token: wrong password")]
    [InlineData("QIDO-RS study query PatientID=PAT-1 (3 results)")]
    [InlineData("declared until 2026-12-24T08:00:00.0000000+00:00: referral")]
    public void Ordinary_text_is_kept(string text) => Assert.Equal(text, AuditDetailScrubber.Scrub(text));

    [Fact]
    public void Long_text_is_bounded() => Assert.Equal(AuditDetailScrubber.MaxLength, AuditDetailScrubber.Scrub(new string('x', 10_000))!.Length);
}
