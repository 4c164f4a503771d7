using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mirc.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>
    /// Gets the whole value as text (multiple values joined by '\'), padding removed, decoded with the character set.
    /// Binary numeric VRs are formatted invariantly. False when absent or not representable as text (OB, SQ …).
    /// </summary>
    public bool TryGetString(DicomTag tag, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!TryGetElement(tag, out var e) || e is DicomSequence or DicomFragmentSequence) return false;
        var vr = ReadableVR(e);
        if (vr.IsString())
        {
            value = DicomValueCodec.DecodeString(vr, e.Buffer.Span, CharacterSet);
            return true;
        }
        if (vr.ValueSize() > 0)
        {
            value = DicomValueCodec.FormatBinary(vr, e.Buffer.Span);
            return true;
        }
        return false;
    }

    /// <summary>Gets the value as text; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public string GetString(DicomTag tag) =>
        TryGetString(tag, out var v) ? v : throw new KeyNotFoundException($"{tag} {DicomDictionary.GetKeyword(tag)} is not in the data set");

    // The parser already gives a known attribute received as UN its VR; one still UN (from big-endian data, or built in
    // code) is read with that VR all the same. A UN sequence stays bytes here: it has no text.
    private static DicomVR ReadableVR(DicomElement e) =>
        e.VR == DicomVR.UN && DicomDictionary.KnownVRForUnknown(e.Tag) is { } known && known != DicomVR.SQ ? known : e.VR;

    /// <summary>Gets the value as text, or <paramref name="defaultValue"/>.</summary>
    public string? GetStringOrDefault(DicomTag tag, string? defaultValue = null) => TryGetString(tag, out var v) ? v : defaultValue;

    /// <summary>Gets the individual values (split on '\' for multi-valued VRs); empty when absent.</summary>
    public string[] GetStrings(DicomTag tag)
    {
        if (!TryGetElement(tag, out var e) || !TryGetString(tag, out var text)) return [];
        return e.VR.IsString() ? DicomValueCodec.SplitValues(e.VR, text) : text.Length == 0 ? [] : text.Split('\\');
    }

    /// <summary>Gets value <paramref name="index"/> as text.</summary>
    public bool TryGetString(DicomTag tag, int index, [NotNullWhen(true)] out string? value)
    {
        var all = GetStrings(tag);
        value = index >= 0 && index < all.Length ? all[index] : null;
        return value is not null;
    }

    /// <summary>Gets value <paramref name="index"/> as a double (DS, IS and every binary numeric VR).</summary>
    public bool TryGetDouble(DicomTag tag, int index, out double value)
    {
        value = 0;
        if (!TryGetElement(tag, out var e)) return false;
        if (e.VR.ValueSize() > 0) return DicomValueCodec.TryReadBinary(e.VR, e.Buffer.Span, index, out value);
        return TryGetString(tag, index, out var s)
               && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Gets the first value as a double.</summary>
    public bool TryGetDouble(DicomTag tag, out double value) => TryGetDouble(tag, 0, out value);

    /// <summary>Gets value <paramref name="index"/> as a 64-bit integer (IS, integral DS and binary integer VRs).</summary>
    public bool TryGetInt64(DicomTag tag, int index, out long value)
    {
        value = 0;
        if (!TryGetElement(tag, out var e)) return false;
        if (e.VR.ValueSize() > 0)
        {
            if (DicomValueCodec.TryReadInteger(e.VR, e.Buffer.Span, index, out value)) return true;
            if (!DicomValueCodec.TryReadBinary(e.VR, e.Buffer.Span, index, out var d) || d != Math.Floor(d) || Math.Abs(d) > long.MaxValue) return false;
            value = (long)d;
            return true;
        }
        if (!TryGetString(tag, index, out var s)) return false;
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return true;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f == Math.Floor(f) && Math.Abs(f) < 9.2e18)
        {
            value = (long)f;
            return true;
        }
        return false;
    }

    /// <summary>Gets the first value as a 64-bit integer.</summary>
    public bool TryGetInt64(DicomTag tag, out long value) => TryGetInt64(tag, 0, out value);

    /// <summary>Gets value <paramref name="index"/> as an int (fails when out of range).</summary>
    public bool TryGetInt32(DicomTag tag, int index, out int value)
    {
        value = 0;
        if (!TryGetInt64(tag, index, out var l) || l < int.MinValue || l > int.MaxValue) return false;
        value = (int)l;
        return true;
    }

    /// <summary>Gets the first value as an int.</summary>
    public bool TryGetInt32(DicomTag tag, out int value) => TryGetInt32(tag, 0, out value);

    /// <summary>Gets the first value as an int; throws when absent or not an integer.</summary>
    public int GetInt32(DicomTag tag) =>
        TryGetInt32(tag, out var v) ? v : throw new KeyNotFoundException($"{tag} {DicomDictionary.GetKeyword(tag)} is absent or not an integer");

    /// <summary>Gets the first value as an int, or <paramref name="defaultValue"/>.</summary>
    public int GetInt32OrDefault(DicomTag tag, int defaultValue) => TryGetInt32(tag, out var v) ? v : defaultValue;

    /// <summary>Gets the first value as a ushort (US, or any integer VR within range).</summary>
    public bool TryGetUInt16(DicomTag tag, out ushort value)
    {
        value = 0;
        if (!TryGetInt64(tag, 0, out var l) || l < 0 || l > ushort.MaxValue) return false;
        value = (ushort)l;
        return true;
    }

    /// <summary>Gets the first value as a uint.</summary>
    public bool TryGetUInt32(DicomTag tag, out uint value)
    {
        value = 0;
        if (!TryGetInt64(tag, 0, out var l) || l < 0 || l > uint.MaxValue) return false;
        value = (uint)l;
        return true;
    }

    /// <summary>Gets all values as doubles; empty when absent or not numeric.</summary>
    public double[] GetDoubles(DicomTag tag)
    {
        if (!TryGetElement(tag, out var e)) return [];
        int n = e.VR.ValueSize() > 0 ? e.ValueCount : GetStrings(tag).Length;
        var result = new double[n];
        for (int i = 0; i < n; i++)
            if (!TryGetDouble(tag, i, out result[i])) return [];
        return result;
    }

    /// <summary>Gets all values as ints; empty when absent or not integers.</summary>
    public int[] GetInt32s(DicomTag tag)
    {
        if (!TryGetElement(tag, out var e)) return [];
        int n = e.VR.ValueSize() > 0 ? e.ValueCount : GetStrings(tag).Length;
        var result = new int[n];
        for (int i = 0; i < n; i++)
            if (!TryGetInt32(tag, i, out result[i])) return [];
        return result;
    }

    /// <summary>Gets a DA value.</summary>
    public bool TryGetDate(DicomTag tag, out DateOnly value)
    {
        value = default;
        return TryGetString(tag, 0, out var s) && DicomDateTimeText.TryParseDate(s, out value);
    }

    /// <summary>Gets a TM value.</summary>
    public bool TryGetTime(DicomTag tag, out TimeOnly value)
    {
        value = default;
        return TryGetString(tag, 0, out var s) && DicomDateTimeText.TryParseTime(s, out value);
    }

    /// <summary>Gets a DT value.</summary>
    public bool TryGetDateTime(DicomTag tag, out DateTimeOffset value)
    {
        value = default;
        return TryGetString(tag, 0, out var s) && DicomDateTimeText.TryParseDateTime(s, out value);
    }

    /// <summary>Combines a DA and a TM attribute (e.g. StudyDate + StudyTime) into a local date-time.</summary>
    public bool TryGetDateTime(DicomTag dateTag, DicomTag timeTag, out DateTime value)
    {
        value = default;
        if (!TryGetDate(dateTag, out var d)) return false;
        TryGetTime(timeTag, out var t);
        value = d.ToDateTime(t);
        return true;
    }

    /// <summary>Gets the first PN value.</summary>
    public bool TryGetPersonName(DicomTag tag, [NotNullWhen(true)] out DicomPersonName? value)
    {
        value = null;
        if (!TryGetString(tag, 0, out var s)) return false;
        value = DicomPersonName.Parse(s);
        return true;
    }

    /// <summary>Gets value <paramref name="index"/> of an AT element.</summary>
    public bool TryGetTag(DicomTag tag, int index, out DicomTag value)
    {
        value = default;
        if (!TryGetElement(tag, out var e) || e.VR != DicomVR.AT) return false;
        var span = e.Buffer.Span;
        if (index < 0 || (index + 1) * 4 > span.Length) return false;
        value = new DicomTag(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(span[(index * 4)..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(span[(index * 4 + 2)..]));
        return true;
    }

    /// <summary>Gets a sequence.</summary>
    public bool TryGetSequence(DicomTag tag, [NotNullWhen(true)] out DicomSequence? sequence)
    {
        sequence = TryGetElement(tag, out var e) ? e as DicomSequence : null;
        return sequence is not null;
    }

    /// <summary>The items of a sequence; empty when absent.</summary>
    public IReadOnlyList<DicomDataset> GetSequenceItems(DicomTag tag) => TryGetSequence(tag, out var s) ? s.Items : [];

    /// <summary>Gets the raw value bytes (Little Endian, padding included).</summary>
    public bool TryGetBytes(DicomTag tag, out ReadOnlyMemory<byte> value)
    {
        value = default;
        if (!TryGetElement(tag, out var e) || e is DicomSequence or DicomFragmentSequence) return false;
        value = e.Buffer;
        return true;
    }
}
