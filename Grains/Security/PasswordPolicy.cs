namespace Mirc.Grains.Security;

/// <summary>Minimal strength rule for local passwords (length over composition, per NIST SP 800-63B).</summary>
public static class PasswordPolicy
{
    /// <summary>Minimum length.</summary>
    public const int MinimumLength = 12;

    /// <summary>Maximum length (bounds hashing cost).</summary>
    public const int MaximumLength = 256;

    /// <summary>Whether <paramref name="password"/> is acceptable for <paramref name="username"/>.</summary>
    public static bool IsAcceptable(string? password, string username) =>
        password is { Length: >= MinimumLength and <= MaximumLength }
        && !password.Contains(username, StringComparison.OrdinalIgnoreCase)
        && password.Distinct().Count() >= 5;
}
