using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mirc.Grains.Security;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes, stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (Base64).
/// Hashing costs ~0.1 s by design: callers run it off the grain scheduler.
/// </summary>
public static class PasswordHasher
{
    /// <summary>Minimum iteration count accepted for new hashes (OWASP 2023 recommendation for PBKDF2-SHA256).</summary>
    public const int MinimumIterations = 210_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a random salt.</summary>
    public static string Hash(string password, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="encodedHash"/> (constant-time comparison).</summary>
    public static bool Verify(string password, string encodedHash)
    {
        var parts = encodedHash.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether the hash was made with fewer iterations than <paramref name="iterations"/> (re-hash at next login).</summary>
    public static bool NeedsRehash(string encodedHash, int iterations)
    {
        var parts = encodedHash.Split('$');
        return parts.Length != 4
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var used)
            || used < iterations;
    }
}
