using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Mirc.Dicom;

/// <summary>Converts between element bytes (Little Endian) and .NET values for every VR.</summary>
public static class DicomValueCodec
{
    /// <summary>Decodes a string VR value with padding removed (trailing spaces/NULs; leading spaces too except for LT/ST/UT/UR).</summary>
    public static string DecodeString(DicomVR vr, ReadOnlySpan<byte> bytes, DicomCharacterSet characterSet)
    {
        int end = bytes.Length;
        while (end > 0 && (bytes[end - 1] == (byte)' ' || bytes[end - 1] == 0)) end--;
        int start = 0;
        if (!vr.IsSingleValuedText() && vr != DicomVR.PN && !vr.UsesSpecificCharacterSet())
            while (start < end && bytes[start] == (byte)' ') start++;
        return characterSet.Decode(bytes[start..end], vr);
    }

    /// <summary>Splits a decoded multi-valued string on backslash and trims each value as its VR allows.</summary>
    public static string[] SplitValues(DicomVR vr, string text)
    {
        if (text.Length == 0) return [];
        if (vr.IsSingleValuedText()) return [text];
        var parts = text.Split('\\');
        for (int i = 0; i < parts.Length; i++) parts[i] = vr == DicomVR.PN ? parts[i].TrimEnd(' ') : parts[i].Trim(' ', '\0');
        return parts;
    }

    /// <summary>Formats all values of a binary numeric VR (US, SS, UL, SL, FL, FD, SV, UV, AT, OW…) as invariant text separated by '\'.</summary>
    public static string FormatBinary(DicomVR vr, ReadOnlySpan<byte> bytes)
    {
        int size = vr.ValueSize();
        if (size == 0) return string.Empty;
        int count = bytes.Length / size;
        var sb = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append('\\');
            AppendBinary(sb, vr, bytes.Slice(i * size, size));
        }
        return sb.ToString();
    }

    private static void AppendBinary(StringBuilder sb, DicomVR vr, ReadOnlySpan<byte> v)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (vr)
        {
            case DicomVR.US: case DicomVR.OW: sb.Append(BinaryPrimitives.ReadUInt16LittleEndian(v).ToString(inv)); break;
            case DicomVR.SS: sb.Append(BinaryPrimitives.ReadInt16LittleEndian(v).ToString(inv)); break;
            case DicomVR.UL: case DicomVR.OL: sb.Append(BinaryPrimitives.ReadUInt32LittleEndian(v).ToString(inv)); break;
            case DicomVR.SL: sb.Append(BinaryPrimitives.ReadInt32LittleEndian(v).ToString(inv)); break;
            case DicomVR.FL: case DicomVR.OF: sb.Append(BinaryPrimitives.ReadSingleLittleEndian(v).ToString("R", inv)); break;
            case DicomVR.FD: case DicomVR.OD: sb.Append(BinaryPrimitives.ReadDoubleLittleEndian(v).ToString("R", inv)); break;
            case DicomVR.SV: sb.Append(BinaryPrimitives.ReadInt64LittleEndian(v).ToString(inv)); break;
            case DicomVR.UV: case DicomVR.OV: sb.Append(BinaryPrimitives.ReadUInt64LittleEndian(v).ToString(inv)); break;
            case DicomVR.AT:
                sb.Append(new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(v), BinaryPrimitives.ReadUInt16LittleEndian(v[2..])).ToHexString());
                break;
        }
    }

    /// <summary>Reads value <paramref name="index"/> of a binary numeric VR as double; false if absent or not numeric.</summary>
    public static bool TryReadBinary(DicomVR vr, ReadOnlySpan<byte> bytes, int index, out double value)
    {
        value = 0;
        int size = vr.ValueSize();
        if (size == 0 || vr == DicomVR.AT || index < 0 || (long)(index + 1) * size > bytes.Length) return false;
        var v = bytes.Slice(index * size, size);
        value = vr switch
        {
            DicomVR.US or DicomVR.OW => BinaryPrimitives.ReadUInt16LittleEndian(v),
            DicomVR.SS => BinaryPrimitives.ReadInt16LittleEndian(v),
            DicomVR.UL or DicomVR.OL => BinaryPrimitives.ReadUInt32LittleEndian(v),
            DicomVR.SL => BinaryPrimitives.ReadInt32LittleEndian(v),
            DicomVR.FL or DicomVR.OF => BinaryPrimitives.ReadSingleLittleEndian(v),
            DicomVR.FD or DicomVR.OD => BinaryPrimitives.ReadDoubleLittleEndian(v),
            DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(v),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(v),
        };
        return true;
    }

    /// <summary>Reads value <paramref name="index"/> of a binary integer VR exactly (no floating-point rounding).</summary>
    public static bool TryReadInteger(DicomVR vr, ReadOnlySpan<byte> bytes, int index, out long value)
    {
        value = 0;
        int size = vr.ValueSize();
        if (size == 0 || index < 0 || (long)(index + 1) * size > bytes.Length) return false;
        var v = bytes.Slice(index * size, size);
        switch (vr)
        {
            case DicomVR.US: case DicomVR.OW: value = BinaryPrimitives.ReadUInt16LittleEndian(v); return true;
            case DicomVR.SS: value = BinaryPrimitives.ReadInt16LittleEndian(v); return true;
            case DicomVR.UL: case DicomVR.OL: value = BinaryPrimitives.ReadUInt32LittleEndian(v); return true;
            case DicomVR.SL: value = BinaryPrimitives.ReadInt32LittleEndian(v); return true;
            case DicomVR.SV: value = BinaryPrimitives.ReadInt64LittleEndian(v); return true;
            case DicomVR.UV: case DicomVR.OV: value = (long)BinaryPrimitives.ReadUInt64LittleEndian(v); return true;
            default: return false;
        }
    }

    /// <summary>Encodes text values for a VR: string VRs are joined with '\' and padded; binary VRs parse each value (numbers, AT as "ggggeeee").</summary>
    public static byte[] EncodeText(DicomVR vr, IReadOnlyList<string> values, DicomCharacterSet characterSet)
    {
        if (vr.IsString())
        {
            var joined = values.Count == 1 ? values[0] : string.Join('\\', values);
            var bytes = characterSet.Encode(joined, vr);
            return PadToEven(bytes, vr.PaddingByte());
        }
        int size = vr.ValueSize();
        if (size == 0)
            throw new ArgumentException($"VR {vr} values cannot be given as text");
        var result = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            var s = values[i].Trim();
            var dst = result.AsSpan(i * size, size);
            if (vr == DicomVR.AT)
            {
                var t = DicomTag.Parse(s);
                BinaryPrimitives.WriteUInt16LittleEndian(dst, t.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(dst[2..], t.Element);
                continue;
            }
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !TryParseLong(s, out d))
                throw new FormatException($"'{s}' is not a number for VR {vr}");
            WriteNumber(vr, dst, s, d);
        }
        return result;
    }

    private static bool TryParseLong(string s, out double d)
    {
        d = 0;
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return false;
        d = l;
        return true;
    }

    private static void WriteNumber(DicomVR vr, Span<byte> dst, string text, double d)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (vr)
        {
            case DicomVR.US: case DicomVR.OW: BinaryPrimitives.WriteUInt16LittleEndian(dst, checked((ushort)d)); break;
            case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(dst, checked((short)d)); break;
            case DicomVR.UL: case DicomVR.OL: BinaryPrimitives.WriteUInt32LittleEndian(dst, checked((uint)d)); break;
            case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(dst, checked((int)d)); break;
            case DicomVR.FL: case DicomVR.OF: BinaryPrimitives.WriteSingleLittleEndian(dst, (float)d); break;
            case DicomVR.FD: case DicomVR.OD: BinaryPrimitives.WriteDoubleLittleEndian(dst, d); break;
            // 64-bit integers parse exactly from text when possible (doubles lose precision above 2^53).
            case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(dst, long.TryParse(text, NumberStyles.Integer, inv, out var sl) ? sl : checked((long)d)); break;
            case DicomVR.UV: case DicomVR.OV: BinaryPrimitives.WriteUInt64LittleEndian(dst, ulong.TryParse(text, NumberStyles.Integer, inv, out var ul) ? ul : checked((ulong)d)); break;
            default: throw new ArgumentException($"VR {vr} is not numeric");
        }
    }

    /// <summary>Encodes numbers for a VR: binary VRs directly, IS/DS as text.</summary>
    public static byte[] EncodeNumbers(DicomVR vr, ReadOnlySpan<double> values)
    {
        if (vr is DicomVR.IS or DicomVR.DS)
        {
            var parts = new string[values.Length];
            for (int i = 0; i < values.Length; i++) parts[i] = vr == DicomVR.IS ? checked((long)values[i]).ToString(CultureInfo.InvariantCulture) : FormatDecimalString(values[i]);
            return EncodeText(vr, parts, DicomCharacterSet.Default);
        }
        int size = vr.ValueSize();
        if (size == 0 || vr == DicomVR.AT) throw new ArgumentException($"VR {vr} cannot hold numbers");
        var result = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
            WriteNumber(vr, result.AsSpan(i * size, size), values[i].ToString("R", CultureInfo.InvariantCulture), values[i]);
        return result;
    }

    /// <summary>Formats a DS value in at most 16 characters.</summary>
    public static string FormatDecimalString(double value)
    {
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.Length <= 16) return s;
        for (int digits = 15; digits > 0; digits--)
        {
            s = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (s.Length <= 16) return s;
        }
        return s;
    }

    /// <summary>Returns the array itself when its length is even, else a copy with one padding byte.</summary>
    public static byte[] PadToEven(byte[] bytes, byte padding)
    {
        if ((bytes.Length & 1) == 0) return bytes;
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = padding;
        return padded;
    }
}
