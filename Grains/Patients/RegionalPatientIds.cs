using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mirc.Grains.Patients;

/// <summary>
/// New regional patient ids: 26-character Crockford base32 ULID-like strings (48-bit millisecond time + 80 random
/// bits), so ids sort by creation time and never collide in practice.
/// </summary>
public static class RegionalPatientIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new id.</summary>
    public static string New(TimeProvider? clock = null)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)(clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)ms;
            ms >>= 8;
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        Span<char> text = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            text[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(text);
    }
}
