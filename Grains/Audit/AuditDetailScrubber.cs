using System.Text.RegularExpressions;

namespace Mirc.Grains.Audit;

/// <summary>
/// Last line of defence keeping secrets out of the audit trail: removes JWTs, bearer credentials and
/// <c>password=</c>/<c>totp=</c>-style pairs that a caller might have put in free text.
/// </summary>
public static partial class AuditDetailScrubber
{
    /// <summary>Replacement text.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>Maximum kept length of free text.</summary>
    public const int MaxLength = 2048;

    /// <summary>The scrubbed text (null stays null).</summary>
    public static string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var scrubbed = JwtPattern().Replace(text, Redacted);
        scrubbed = BearerPattern().Replace(scrubbed, "$1 " + Redacted);
        scrubbed = SecretPairPattern().Replace(scrubbed, "$1=" + Redacted);
        return scrubbed.Length > MaxLength ? scrubbed[..MaxLength] : scrubbed;
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]*)?", RegexOptions.CultureInvariant)]
    private static partial Regex JwtPattern();

    [GeneratedRegex(@"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"(?i)(?<![\w\-])(password|passwd|pwd|passcode|totp|otp|secret|token|access_token|refresh_token|new_password)\s*[=:]\s*[^\s&;,]+", RegexOptions.CultureInvariant)]
    private static partial Regex SecretPairPattern();
}
