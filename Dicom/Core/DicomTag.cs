using System.Globalization;

namespace Mirc.Dicom;

/// <summary>
/// A DICOM attribute tag (group, element). Well-known tags are static properties named by their
/// PS3.6 keyword, e.g. <c>DicomTag.PatientName</c>; <see cref="Parse"/> accepts "00100010", "(0010,0010)" or a keyword.
/// </summary>
public readonly partial struct DicomTag : IEquatable<DicomTag>, IComparable<DicomTag>, ISpanFormattable
{
    /// <summary>Creates a tag from its 32-bit value (group in the high 16 bits).</summary>
    public DicomTag(uint value) => Value = value;

    /// <summary>Creates a tag from group and element.</summary>
    public DicomTag(ushort group, ushort element) => Value = (uint)group << 16 | element;

    /// <summary>The 32-bit value, group in the high 16 bits.</summary>
    public uint Value { get; }

    /// <summary>Group number.</summary>
    public ushort Group => (ushort)(Value >> 16);

    /// <summary>Element number.</summary>
    public ushort Element => (ushort)Value;

    /// <summary>True for tags in odd groups (private data elements), excluding groups 1, 3, 5, 7 and FFFF.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 7 && Group != 0xFFFF;

    /// <summary>True for private creator elements (gggg,0010-00FF) in an odd group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x10 and <= 0xFF;

    /// <summary>True for group length elements (gggg,0000).</summary>
    public bool IsGroupLength => Element == 0 && Group != 0xFFFE;

    /// <summary>(FFFE,E000) Item.</summary>
    public static DicomTag Item => new(0xFFFEE000);
    /// <summary>(FFFE,E00D) Item Delimitation Item.</summary>
    public static DicomTag ItemDelimitationItem => new(0xFFFEE00D);
    /// <summary>(FFFE,E0DD) Sequence Delimitation Item.</summary>
    public static DicomTag SequenceDelimitationItem => new(0xFFFEE0DD);

    /// <summary>Parses "ggggeeee", "(gggg,eeee)", "gggg,eeee" or a dictionary keyword.</summary>
    public static DicomTag Parse(string text) =>
        TryParse(text, out var tag) ? tag : throw new FormatException($"'{text}' is not a DICOM tag or keyword");

    /// <summary>Parses "ggggeeee", "(gggg,eeee)", "gggg,eeee" or a dictionary keyword.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag)
    {
        tag = default;
        text = text.Trim();
        if (text.Length == 11 && text[0] == '(' && text[10] == ')') text = text[1..10];
        if (text.Length == 9 && text[4] == ',')
        {
            if (ushort.TryParse(text[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var g)
                && ushort.TryParse(text[5..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var e))
            {
                tag = new DicomTag(g, e);
                return true;
            }
            return false;
        }
        if (text.Length == 8 && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
        {
            tag = new DicomTag(v);
            return true;
        }
        if (DicomDictionary.TryGetByKeyword(text, out var entry))
        {
            tag = entry.Tag;
            return true;
        }
        return false;
    }

    /// <summary>The dictionary keyword, or null when the tag is not in the dictionary.</summary>
    public string? Keyword => DicomDictionary.TryGetByTag(this, out var e) ? e.Keyword : null;

    /// <inheritdoc/>
    public bool Equals(DicomTag other) => Value == other.Value;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DicomTag t && t.Value == Value;
    /// <inheritdoc/>
    public override int GetHashCode() => (int)Value;
    /// <inheritdoc/>
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);
    /// <summary>Equality.</summary>
    public static bool operator ==(DicomTag a, DicomTag b) => a.Value == b.Value;
    /// <summary>Inequality.</summary>
    public static bool operator !=(DicomTag a, DicomTag b) => a.Value != b.Value;
    /// <summary>Ordering by group then element.</summary>
    public static bool operator <(DicomTag a, DicomTag b) => a.Value < b.Value;
    /// <summary>Ordering by group then element.</summary>
    public static bool operator >(DicomTag a, DicomTag b) => a.Value > b.Value;
    /// <summary>Ordering by group then element.</summary>
    public static bool operator <=(DicomTag a, DicomTag b) => a.Value <= b.Value;
    /// <summary>Ordering by group then element.</summary>
    public static bool operator >=(DicomTag a, DicomTag b) => a.Value >= b.Value;

    /// <summary>"(gggg,eeee)" in upper-case hex.</summary>
    public override string ToString() => string.Create(11, Value, static (span, v) => new DicomTag(v).TryFormat(span, out _, default, null));

    /// <summary>"GGGGEEEE", the form used by DICOM JSON and XML.</summary>
    public string ToHexString() => Value.ToString("X8", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) =>
        format is "X" or "X8" ? ToHexString() : ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (format is "X" or "X8")
            return Value.TryFormat(destination, out charsWritten, "X8", CultureInfo.InvariantCulture);
        charsWritten = 0;
        if (destination.Length < 11) return false;
        destination[0] = '(';
        Group.TryFormat(destination[1..], out _, "X4", CultureInfo.InvariantCulture);
        destination[5] = ',';
        Element.TryFormat(destination[6..], out _, "X4", CultureInfo.InvariantCulture);
        destination[10] = ')';
        charsWritten = 11;
        return true;
    }
}
