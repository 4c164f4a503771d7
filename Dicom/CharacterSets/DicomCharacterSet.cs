using System.Text;

namespace Mirc.Dicom;

/// <summary>
/// The text decoding selected by (0008,0005) Specific Character Set: default repertoire, single-byte ISO_IR sets,
/// UTF-8 (ISO_IR 192), GB18030/GBK, and ISO 2022 code extensions (escape sequences switch the active set while decoding).
/// </summary>
public sealed class DicomCharacterSet
{
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly Encoding Utf8 = new UTF8Encoding(false, false);
    private readonly Encoding primary;
    private readonly bool codeExtensions;

    static DicomCharacterSet() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private DicomCharacterSet(string[] terms, Encoding primary, bool codeExtensions)
    {
        Terms = terms;
        this.primary = primary;
        this.codeExtensions = codeExtensions;
    }

    /// <summary>The default repertoire (ASCII; bytes above 0x7F decoded as Latin-1 for tolerance).</summary>
    public static DicomCharacterSet Default { get; } = new([], Encoding.Latin1, false);

    /// <summary>ISO_IR 100 (Latin-1).</summary>
    public static DicomCharacterSet Latin1Set { get; } = new(["ISO_IR 100"], Encoding.Latin1, false);

    /// <summary>ISO_IR 192 (UTF-8).</summary>
    public static DicomCharacterSet Utf8Set { get; } = new(["ISO_IR 192"], Utf8, false);

    /// <summary>The (0008,0005) values this set was built from.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>True when the set is the default repertoire.</summary>
    public bool IsDefault => Terms.Count == 0;

    /// <summary>The encoding used to write text (the first term's encoding).</summary>
    public Encoding Encoding => primary;

    /// <summary>Builds the character set for the (0008,0005) values (unknown terms fall back to Latin-1 decoding).</summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        if (terms.Count == 0 || (terms.Count == 1 && string.IsNullOrWhiteSpace(terms[0]))) return Default;
        var clean = terms.Select(t => t.Trim()).ToArray();
        if (clean.Length == 1)
        {
            switch (clean[0])
            {
                case "ISO_IR 100": return Latin1Set;
                case "ISO_IR 192": return Utf8Set;
                case "ISO_IR 6": return Default;
            }
        }
        bool extensions = clean.Length > 1 || clean[0].StartsWith("ISO 2022", StringComparison.Ordinal);
        var first = clean[0].Length == 0 ? Latin1 : EncodingForTerm(clean[0]) ?? Latin1;
        return new DicomCharacterSet(clean, first, extensions);
    }

    /// <summary>Maps a defined term (e.g. "ISO_IR 144", "ISO 2022 IR 100") to a .NET encoding, or null if unknown.</summary>
    public static Encoding? EncodingForTerm(string term)
    {
        var t = term.Trim();
        if (t.StartsWith("ISO 2022 ", StringComparison.Ordinal)) t = "ISO_" + t[9..].Replace(' ', '_');
        return t switch
        {
            "ISO_IR 6" or "ISO_IR_6" or "" => Latin1,
            "ISO_IR 100" or "ISO_IR_100" => Latin1,
            "ISO_IR 101" or "ISO_IR_101" => Encoding.GetEncoding(28592),
            "ISO_IR 109" or "ISO_IR_109" => Encoding.GetEncoding(28593),
            "ISO_IR 110" or "ISO_IR_110" => Encoding.GetEncoding(28594),
            "ISO_IR 144" or "ISO_IR_144" => Encoding.GetEncoding(28595),
            "ISO_IR 127" or "ISO_IR_127" => Encoding.GetEncoding(28596),
            "ISO_IR 126" or "ISO_IR_126" => Encoding.GetEncoding(28597),
            "ISO_IR 138" or "ISO_IR_138" => Encoding.GetEncoding(28598),
            "ISO_IR 148" or "ISO_IR_148" => Encoding.GetEncoding(28599),
            "ISO_IR 203" or "ISO_IR_203" => Encoding.GetEncoding(28605),
            "ISO_IR 166" or "ISO_IR_166" => Encoding.GetEncoding(874),
            "ISO_IR 13" or "ISO_IR_13" => Encoding.GetEncoding(932),
            "ISO_IR 87" or "ISO_IR_87" or "ISO_IR 159" or "ISO_IR_159" => Encoding.GetEncoding(50220),
            "ISO_IR 149" or "ISO_IR_149" => Encoding.GetEncoding(51949),
            "ISO_IR 58" or "ISO_IR_58" => Encoding.GetEncoding(936),
            "ISO_IR 192" => Utf8,
            "GB18030" => Encoding.GetEncoding(54936),
            "GBK" => Encoding.GetEncoding(936),
            _ => null,
        };
    }

    /// <summary>Decodes a value. Only LO, LT, PN, SH, ST, UC and UT use the specific character set; other VRs are ASCII.</summary>
    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        if (bytes.IsEmpty) return string.Empty;
        if (!vr.UsesSpecificCharacterSet()) return Latin1.GetString(bytes);
        if (!codeExtensions || bytes.IndexOf((byte)0x1B) < 0) return primary.GetString(bytes);
        return DecodeWithEscapes(bytes, vr == DicomVR.PN);
    }

    /// <summary>Encodes text for a VR (specific character set for text VRs, ASCII/Latin-1 otherwise).</summary>
    public byte[] Encode(string text, DicomVR vr) => vr.UsesSpecificCharacterSet() ? primary.GetBytes(text) : Latin1.GetBytes(text);

    /// <summary>True when every character can be written with this set (UTF-8 can write anything).</summary>
    public bool CanEncode(string text)
    {
        if (Ascii.IsValid(text)) return true;
        if (IsDefault) return false;
        if (ReferenceEquals(primary, Utf8) || primary.CodePage == 54936) return true;
        var strict = Encoding.GetEncoding(primary.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ReplacementFallback);
        try
        {
            strict.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    // ISO 2022: the value starts in the first term's set; ESC sequences switch G0/G1; delimiters reset to the initial set.
    private string DecodeWithEscapes(ReadOnlySpan<byte> bytes, bool isPersonName)
    {
        var sb = new StringBuilder(bytes.Length);
        var active = primary;
        int segmentStart = 0;
        int i = 0;
        while (i < bytes.Length)
        {
            byte b = bytes[i];
            if (b == 0x1B)
            {
                Flush(sb, active, bytes[segmentStart..i]);
                int len = EscapeLength(bytes[i..]);
                var selected = EncodingForEscape(bytes.Slice(i, len));
                if (selected is not null && selected.CodePage == 50220)
                {
                    // iso-2022-jp decodes its own escape sequences: hand it the run up to the next non-JIS escape.
                    int end = i + len;
                    while (end < bytes.Length && !(bytes[end] == 0x1B && !IsJisEscape(bytes[end..]))) end++;
                    sb.Append(selected.GetString(bytes[i..end]));
                    i = end;
                    segmentStart = i;
                    active = Latin1;
                    continue;
                }
                active = selected ?? active;
                i += len;
                segmentStart = i;
                continue;
            }
            bool delimiter = b is 0x0D or 0x0A or 0x0C or 0x09 or (byte)'\\' || (isPersonName && b is (byte)'^' or (byte)'=');
            if (delimiter && !ReferenceEquals(active, primary) && active.IsSingleByte)
            {
                Flush(sb, active, bytes[segmentStart..i]);
                segmentStart = i;
                active = primary;
            }
            i++;
        }
        Flush(sb, active, bytes[segmentStart..]);
        return sb.ToString();

        static void Flush(StringBuilder sb, Encoding enc, ReadOnlySpan<byte> part)
        {
            if (!part.IsEmpty) sb.Append(enc.GetString(part));
        }
    }

    private static bool IsJisEscape(ReadOnlySpan<byte> s) =>
        s.Length >= 3 && ((s[1] == (byte)'$' && s[2] is (byte)'B' or (byte)'@' or (byte)'(') || (s[1] == (byte)'(' && s[2] is (byte)'B' or (byte)'J'));

    private static int EscapeLength(ReadOnlySpan<byte> s)
    {
        // ESC, intermediate bytes 0x20-0x2F, one final byte 0x30-0x7E.
        int n = 1;
        while (n < s.Length && s[n] is >= 0x20 and <= 0x2F) n++;
        return Math.Min(n + 1, s.Length);
    }

    private static Encoding? EncodingForEscape(ReadOnlySpan<byte> esc)
    {
        if (esc.Length < 3) return null;
        return (esc[1], esc[2], esc.Length > 3 ? esc[3] : (byte)0) switch
        {
            ((byte)'(', (byte)'B', _) => Latin1,
            ((byte)'(', (byte)'J', _) => Encoding.GetEncoding(932),
            ((byte)')', (byte)'I', _) => Encoding.GetEncoding(932),
            ((byte)'-', (byte)'A', _) => Latin1,
            ((byte)'-', (byte)'B', _) => Encoding.GetEncoding(28592),
            ((byte)'-', (byte)'C', _) => Encoding.GetEncoding(28593),
            ((byte)'-', (byte)'D', _) => Encoding.GetEncoding(28594),
            ((byte)'-', (byte)'L', _) => Encoding.GetEncoding(28595),
            ((byte)'-', (byte)'G', _) => Encoding.GetEncoding(28596),
            ((byte)'-', (byte)'F', _) => Encoding.GetEncoding(28597),
            ((byte)'-', (byte)'H', _) => Encoding.GetEncoding(28598),
            ((byte)'-', (byte)'M', _) => Encoding.GetEncoding(28599),
            ((byte)'-', (byte)'b', _) => Encoding.GetEncoding(28605),
            ((byte)'-', (byte)'T', _) => Encoding.GetEncoding(874),
            ((byte)'$', (byte)'B', _) or ((byte)'$', (byte)'(', (byte)'D') => Encoding.GetEncoding(50220),
            ((byte)'$', (byte)')', (byte)'C') => Encoding.GetEncoding(51949),
            ((byte)'$', (byte)')', (byte)'A') => Encoding.GetEncoding(936),
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => IsDefault ? "ISO_IR 6" : string.Join('\\', Terms);
}
