using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Mirc.Dicom.Deidentification;

/// <summary>
/// The secret of one research project: every replacement value is a keyed HMAC-SHA256 of the original, so the same
/// patient, UID or date gets the same replacement in every export of the project, a different one in another project,
/// and nobody without the key can recompute or reverse them. Each use has its own label, so a pseudonym, a date offset
/// and a UID never share an HMAC input.
/// </summary>
public sealed class DeidentificationKey
{
    /// <summary>Size of a generated key (256 bits, HMAC-SHA256's block-size-safe length).</summary>
    public const int KeySize = 32;

    /// <summary>Largest date shift, in days, back in time.</summary>
    public const int MaxDateOffsetDays = 3650;

    private readonly byte[] _key;

    /// <summary>Wraps an existing key (at least 16 bytes).</summary>
    public DeidentificationKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16) throw new ArgumentException("A de-identification key needs at least 128 bits.", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>A new random key.</summary>
    public static DeidentificationKey Create() => new(RandomNumberGenerator.GetBytes(KeySize));

    /// <summary>The project's pseudonym of a patient: <c>P</c> and 20 upper-case hex digits (80 bits), fits LO and PN.</summary>
    public string Pseudonym(string patientReference)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        Span<byte> mac = stackalloc byte[32];
        Mac("patient", patientReference, mac);
        return "P" + Convert.ToHexString(mac[..10]);
    }

    /// <summary>Days every date of this patient moves back: 1 to <see cref="MaxDateOffsetDays"/>, never 0, same for every study.</summary>
    public int DateOffsetDays(string patientReference)
    {
        ArgumentException.ThrowIfNullOrEmpty(patientReference);
        Span<byte> mac = stackalloc byte[32];
        Mac("date-offset", patientReference, mac);
        return 1 + (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mac) % MaxDateOffsetDays);
    }

    /// <summary>
    /// The replacement of a UID: <c>2.25.</c> followed by the decimal value of the first 128 bits of its HMAC
    /// (PS3.5 B.2, UUID-derived UIDs), at most 44 characters.
    /// </summary>
    public string RemapUid(string uid)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        Span<byte> mac = stackalloc byte[32];
        Mac("uid", uid, mac);
        var value = new BigInteger(mac[..16], isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Mac(string label, string input, Span<byte> destination)
    {
        var bytes = Encoding.UTF8.GetBytes(label + "\0" + input);
        HMACSHA256.HashData(_key, bytes, destination);
    }
}
