using System.Security.Cryptography;

namespace Mirc.Grains.Security;

/// <summary>RFC 6238 time-based one-time passwords: HMAC-SHA1, 30-second steps, 6 digits (authenticator-app defaults).</summary>
public static class Totp
{
    /// <summary>Step length.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>Number of digits.</summary>
    public const int Digits = 6;

    /// <summary>The time step containing <paramref name="at"/>.</summary>
    public static long StepAt(DateTimeOffset at) => at.ToUnixTimeSeconds() / (long)Step.TotalSeconds;

    /// <summary>The code for <paramref name="step"/> (RFC 4226 dynamic truncation).</summary>
    public static string Compute(ReadOnlySpan<byte> secret, long step, int digits = Digits)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, mac);
        var offset = mac[^1] & 0x0F;
        var binary = ((mac[offset] & 0x7F) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        var modulo = 1;
        for (var i = 0; i < digits; i++)
        {
            modulo *= 10;
        }

        return (binary % modulo).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// Finds the step (within ±<paramref name="window"/> steps of <paramref name="now"/>, to absorb clock drift) whose
    /// code equals <paramref name="code"/>; null when none matches. Comparison is constant-time per candidate.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now, int window = 1)
    {
        if (code is null || code.Length != Digits)
        {
            return null;
        }

        var current = StepAt(now);
        long? found = null;
        for (var delta = -window; delta <= window; delta++)
        {
            var candidate = Compute(secret, current + delta);
            if (CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.ASCII.GetBytes(candidate), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                found ??= current + delta;
            }
        }

        return found;
    }

    /// <summary>A fresh 160-bit secret (RFC 4226 recommends the HMAC key length).</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(20);

    /// <summary>The <c>otpauth://</c> enrolment URI for authenticator apps.</summary>
    public static string EnrolmentUri(string issuer, string account, string secretBase32)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(account);
        return $"otpauth://totp/{label}?secret={secretBase32}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={(int)Step.TotalSeconds}";
    }
}
