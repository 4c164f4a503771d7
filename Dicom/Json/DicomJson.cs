using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mirc.Dicom;

/// <summary>
/// DICOM JSON Model (PS3.18 Annex F) with <see cref="Utf8JsonWriter"/>/<see cref="Utf8JsonReader"/> (no reflection):
/// PN as {"Alphabetic": …}, IS/DS and binary numbers as JSON numbers, AT as "ggggeeee", InlineBinary base64, BulkDataURI.
/// </summary>
public static partial class DicomJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4 * 64 + 8, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Writes a data set as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, BulkDataUriResolver? resolver = null) =>
        Write(writer, dataset, resolver is null ? DicomJsonOptions.Default : new DicomJsonOptions { BulkDataUriResolver = resolver });

    /// <summary>Writes a data set as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions options)
    {
        writer.WriteStartObject();
        Span<byte> tagName = stackalloc byte[8];
        foreach (var e in dataset)
        {
            if (options.SkipGroupLengths && e.Tag.IsGroupLength) continue;
            Utf8Formatter.TryFormat(e.Tag.Value, tagName, out _, new StandardFormat('X', 8));
            writer.WritePropertyName(tagName);
            writer.WriteStartObject();
            Span<byte> vr = [(byte)((ushort)e.VR >> 8), (byte)e.VR];
            writer.WriteString("vr"u8, e.VR == DicomVR.None ? "UN"u8 : vr);
            WriteValue(writer, e, dataset, options);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes data sets as a JSON array (QIDO-RS / WADO-RS metadata responses).</summary>
    public static void WriteArray(Utf8JsonWriter writer, IEnumerable<DicomDataset> datasets, DicomJsonOptions? options = null)
    {
        writer.WriteStartArray();
        foreach (var ds in datasets) Write(writer, ds, options ?? DicomJsonOptions.Default);
        writer.WriteEndArray();
    }

    /// <summary>Serializes a data set to UTF-8 JSON bytes.</summary>
    public static byte[] Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, dataset, options ?? DicomJsonOptions.Default);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter w, DicomElement e, DicomDataset owner, DicomJsonOptions options)
    {
        switch (e)
        {
            case DicomBulkDataReference r:
                w.WriteString("BulkDataURI"u8, r.Uri);
                return;
            case DicomSequence seq:
                if (seq.Items.Count == 0) return;
                w.WriteStartArray("Value"u8);
                foreach (var item in seq.Items) Write(w, item, options);
                w.WriteEndArray();
                return;
            case DicomFragmentSequence:
                // Encapsulated pixel data has no inline JSON form: only a bulk data reference.
                if (options.BulkDataUriResolver?.Invoke(e, owner) is { } fragUri) w.WriteString("BulkDataURI"u8, fragUri);
                return;
        }
        if (e.Buffer.IsEmpty) return;
        bool bulkCandidate = e.VR is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN
            or DicomVR.UT or DicomVR.LT or DicomVR.UC or DicomVR.UR;
        if (bulkCandidate && e.Buffer.Length >= options.BulkDataThreshold && options.BulkDataUriResolver?.Invoke(e, owner) is { } uri)
        {
            w.WriteString("BulkDataURI"u8, uri);
            return;
        }
        var span = e.Buffer.Span;
        switch (e.VR)
        {
            case DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN or DicomVR.None:
                w.WriteBase64String("InlineBinary"u8, span);
                return;
            case DicomVR.PN:
                w.WriteStartArray("Value"u8);
                foreach (var v in owner.GetStrings(e.Tag))
                {
                    if (v.Length == 0) { w.WriteNullValue(); continue; }
                    var pn = DicomPersonName.Parse(v);
                    w.WriteStartObject();
                    if (pn.Alphabetic.Length > 0) w.WriteString("Alphabetic"u8, pn.Alphabetic);
                    if (pn.Ideographic.Length > 0) w.WriteString("Ideographic"u8, pn.Ideographic);
                    if (pn.Phonetic.Length > 0) w.WriteString("Phonetic"u8, pn.Phonetic);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                return;
            case DicomVR.IS or DicomVR.DS:
                w.WriteStartArray("Value"u8);
                foreach (var v in owner.GetStrings(e.Tag)) WriteNumberText(w, v, e.VR == DicomVR.IS);
                w.WriteEndArray();
                return;
            case DicomVR.AT:
                w.WriteStartArray("Value"u8);
                for (int i = 0; owner.TryGetTag(e.Tag, i, out var t); i++) w.WriteStringValue(t.ToHexString());
                w.WriteEndArray();
                return;
            case DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.SV or DicomVR.UV:
                w.WriteStartArray("Value"u8);
                for (int i = 0; DicomValueCodec.TryReadInteger(e.VR, span, i, out var l); i++)
                {
                    if (e.VR == DicomVR.UV) w.WriteNumberValue((ulong)l); else w.WriteNumberValue(l);
                }
                w.WriteEndArray();
                return;
            case DicomVR.FL or DicomVR.FD:
                w.WriteStartArray("Value"u8);
                for (int i = 0; DicomValueCodec.TryReadBinary(e.VR, span, i, out var d); i++)
                {
                    if (!double.IsFinite(d)) w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                    else if (e.VR == DicomVR.FL) w.WriteNumberValue((float)d);
                    else w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                return;
            default:
                w.WriteStartArray("Value"u8);
                foreach (var v in owner.GetStrings(e.Tag))
                {
                    if (v.Length == 0) w.WriteNullValue(); else w.WriteStringValue(v);
                }
                w.WriteEndArray();
                return;
        }
    }

    private static void WriteNumberText(Utf8JsonWriter w, string text, bool integer)
    {
        if (text.Length == 0)
        {
            w.WriteNullValue();
            return;
        }
        if (integer && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            w.WriteNumberValue(l);
            return;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            // Keep the original digits when they already form a JSON number ("1.50" stays "1.50").
            if (IsJsonNumber(text)) w.WriteRawValue(text, skipInputValidation: true);
            else w.WriteNumberValue(d);
            return;
        }
        w.WriteStringValue(text);
    }

    private static bool IsJsonNumber(ReadOnlySpan<char> s)
    {
        int i = 0;
        if (i < s.Length && s[i] == '-') i++;
        if (i >= s.Length || !char.IsAsciiDigit(s[i])) return false;
        if (s[i] == '0' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])) return false;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            if (i >= s.Length || !char.IsAsciiDigit(s[i])) return false;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        }
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-')) i++;
            if (i >= s.Length || !char.IsAsciiDigit(s[i])) return false;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        }
        return i == s.Length;
    }

    /// <summary>Reads one data set from a UTF-8 JSON object.</summary>
    public static DicomDataset Read(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        return Guard(ref reader, static (ref Utf8JsonReader r) =>
        {
            r.Read();
            return Read(ref r);
        });
    }

    /// <summary>Reads data sets from a UTF-8 JSON array (or a single object).</summary>
    public static List<DicomDataset> ReadArray(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        return Guard(ref reader, static (ref Utf8JsonReader r) =>
        {
            var list = new List<DicomDataset>();
            r.Read();
            if (r.TokenType == JsonTokenType.StartObject)
            {
                list.Add(Read(ref r));
                return list;
            }
            Expect(ref r, JsonTokenType.StartArray);
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(Read(ref r));
            return list;
        });
    }

    /// <summary>Reads one data set; the reader must be on the object's StartObject token and ends on its EndObject.</summary>
    public static DicomDataset Read(ref Utf8JsonReader reader)
    {
        var ds = new DicomDataset();
        ReadInto(ref reader, ds);
        return ds;
    }

    private delegate T ReaderFunc<T>(ref Utf8JsonReader reader);

    private static T Guard<T>(ref Utf8JsonReader reader, ReaderFunc<T> read)
    {
        try
        {
            return read(ref reader);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new DicomFormatException($"invalid DICOM JSON near byte {reader.TokenStartIndex}: {e.Message}", e);
        }
    }

    private static void ReadInto(ref Utf8JsonReader r, DicomDataset ds)
    {
        Expect(ref r, JsonTokenType.StartObject);
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            Expect(ref r, JsonTokenType.PropertyName);
            if (!Utf8Parser.TryParse(r.ValueSpan, out uint tagValue, out int consumed, 'X') || consumed != 8 || r.ValueSpan.Length != 8)
                throw new DicomFormatException($"'{r.GetString()}' is not a DICOM JSON tag key");
            var tag = new DicomTag(tagValue);
            r.Read();
            ReadAttribute(ref r, ds, tag);
        }
    }

    private static void ReadAttribute(ref Utf8JsonReader r, DicomDataset ds, DicomTag tag)
    {
        Expect(ref r, JsonTokenType.StartObject);
        DicomVR vr = DicomVR.None;
        List<string?>? values = null;
        List<DicomDataset>? items = null;
        byte[]? inline = null;
        string? bulk = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            Expect(ref r, JsonTokenType.PropertyName);
            if (r.ValueTextEquals("vr"u8))
            {
                r.Read();
                if (!DicomVRInfo.TryParse(r.GetString(), out vr)) throw new DicomFormatException($"unknown VR '{r.GetString()}' for {tag}");
            }
            else if (r.ValueTextEquals("Value"u8))
            {
                r.Read();
                Expect(ref r, JsonTokenType.StartArray);
                if (vr == DicomVR.None) vr = DicomDictionary.GetImplicitVR(tag);
                if (vr == DicomVR.SQ)
                {
                    items = [];
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        var item = new DicomDataset { Parent = ds };
                        ReadInto(ref r, item);
                        items.Add(item);
                    }
                }
                else
                {
                    values = [];
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray) values.Add(ReadScalar(ref r, vr));
                }
            }
            else if (r.ValueTextEquals("InlineBinary"u8))
            {
                r.Read();
                inline = r.GetBytesFromBase64();
            }
            else if (r.ValueTextEquals("BulkDataURI"u8))
            {
                r.Read();
                bulk = r.GetString();
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
        if (vr == DicomVR.None) vr = DicomDictionary.GetImplicitVR(tag);
        if (vr == DicomVR.SQ)
        {
            ds.SetSequence(tag, [.. items ?? []]);
            return;
        }
        if (bulk is not null)
        {
            ds.Set(new DicomBulkDataReference(tag, vr, bulk));
            return;
        }
        if (inline is not null)
        {
            ds.Set(tag, vr, inline);
            return;
        }
        if (values is null || values.Count == 0)
        {
            ds.Set(new DicomElement(tag, vr, ReadOnlyMemory<byte>.Empty));
            return;
        }
        if (!vr.IsString() && vr.ValueSize() == 0)
            throw new DicomFormatException($"{tag} with VR {vr} needs InlineBinary or BulkDataURI, not Value");
        ds.Set(tag, vr, values.Select(v => v ?? string.Empty).ToArray());
    }

    private static string? ReadScalar(ref Utf8JsonReader r, DicomVR vr)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return r.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(r.HasValueSequence ? r.ValueSequence.ToArray() : r.ValueSpan);
            case JsonTokenType.StartObject when vr == DicomVR.PN:
                string alphabetic = "", ideographic = "", phonetic = "";
                while (r.Read() && r.TokenType != JsonTokenType.EndObject)
                {
                    Expect(ref r, JsonTokenType.PropertyName);
                    if (r.ValueTextEquals("Alphabetic"u8)) { r.Read(); alphabetic = r.GetString() ?? ""; }
                    else if (r.ValueTextEquals("Ideographic"u8)) { r.Read(); ideographic = r.GetString() ?? ""; }
                    else if (r.ValueTextEquals("Phonetic"u8)) { r.Read(); phonetic = r.GetString() ?? ""; }
                    else { r.Read(); r.Skip(); }
                }
                return DicomPersonName.FromGroups(alphabetic, ideographic, phonetic).ToString();
            default:
                throw new DicomFormatException($"unexpected JSON {r.TokenType} in a {vr} value");
        }
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType != type) throw new DicomFormatException($"expected JSON {type}, found {r.TokenType} at byte {r.TokenStartIndex}");
    }
}
