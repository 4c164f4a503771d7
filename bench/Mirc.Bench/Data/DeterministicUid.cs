using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Mirc.Bench.Data;

/// <summary>
/// UIDs under the 2.25 root (PS3.5 §B.2) derived from a name by hashing, so the same seed and name always give the same
/// UID and different seeds never collide in practice.
/// </summary>
public static class DeterministicUid
{
    /// <summary>Returns <c>2.25.&lt;128-bit decimal&gt;</c> for <paramref name="name"/>.</summary>
    public static string From(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var value = new BigInteger(hash[..16], isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
