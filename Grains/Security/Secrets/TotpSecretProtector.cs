using Microsoft.AspNetCore.DataProtection;

namespace Mirc.Grains.Security.Secrets;

/// <summary>
/// A TOTP secret as stored in the account's grain state: Data Protection ciphertext marked <c>dp1:</c>. A value
/// without the mark is a clear Base32 secret written before encryption existed; it is still read, and rewritten
/// protected when the account activates.
/// </summary>
public sealed class TotpSecretProtector(IDataProtectionProvider provider)
{
    private const string Mark = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector(SecretProtection.TotpSecretsPurpose);

    /// <summary>True when <paramref name="stored"/> is still clear text.</summary>
    public static bool IsClear(string stored) => !string.IsNullOrEmpty(stored) && !stored.StartsWith(Mark, StringComparison.Ordinal);

    /// <summary>The stored form of a Base32 secret.</summary>
    public string Protect(string base32Secret) => Mark + _protector.Protect(base32Secret);

    /// <summary>The Base32 secret of a stored value (protected or legacy clear).</summary>
    public string Reveal(string stored) => IsClear(stored) || string.IsNullOrEmpty(stored) ? stored : _protector.Unprotect(stored[Mark.Length..]);
}
