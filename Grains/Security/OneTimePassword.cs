using System.Security.Cryptography;

namespace Mirc.Grains.Security;

/// <summary>Random one-time passwords for new accounts (unambiguous characters, ~119 bits).</summary>
public static class OneTimePassword
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A new password of <paramref name="length"/> characters.</summary>
    public static string Generate(int length = 20) => RandomNumberGenerator.GetString(Alphabet, length);
}
