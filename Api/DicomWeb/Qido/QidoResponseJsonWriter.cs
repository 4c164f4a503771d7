using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Mirc.Api.Hosting;
using Mirc.Grains.Indexing;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>
/// Writes index rows (tag → DICOM string value) as a DICOM JSON array (PS3.18 Annex F): keys in tag order, PN as
/// <c>{"Alphabetic": …}</c>, IS/DS/US/… as JSON numbers, multi-values split on <c>\</c>, empty return keys as
/// <c>{"vr": …}</c> without a Value. Wherever Patient ID is returned, the regional patient id follows in an Other
/// Patient IDs Sequence item (issuer <see cref="MircApiOptions.RegionalPatientIdIssuer"/>).
/// </summary>
public sealed class QidoResponseJsonWriter(IAttributeDictionary dictionary, IOptions<MircApiOptions> options)
{
    private const uint OtherPatientIdsSequence = 0x00101002;

    /// <summary>Writes <paramref name="rows"/>, each restricted to <paramref name="returned"/> (all when null).</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="rows">Index rows.</param>
    /// <param name="returned">Tags to return, or null for every attribute the row has.</param>
    /// <param name="retrieveUrl">Computes the RetrieveURL of a row, or null to omit it.</param>
    public void Write(
        Utf8JsonWriter writer,
        IReadOnlyList<IReadOnlyDictionary<uint, string>> rows,
        IReadOnlySet<uint>? returned,
        Func<IReadOnlyDictionary<uint, string>, string?> retrieveUrl)
    {
        writer.WriteStartArray();
        var tags = new List<uint>(32);
        foreach (var row in rows)
        {
            tags.Clear();
            foreach (var tag in row.Keys)
            {
                if (!IndexTags.IsPseudoTag(tag) && (returned is null || returned.Contains(tag))) tags.Add(tag);
            }
            if (returned is not null)
            {
                // A return key the index keeps but the instance left empty is returned empty, not dropped (PS3.18 §10.6.3.3:
                // an empty StudyDate says "no date", an absent one says nothing).
                foreach (var tag in returned)
                {
                    if (!row.ContainsKey(tag) && QidoIndexAttributes.LevelOf(tag) is not null) tags.Add(tag);
                }
            }
            var url = returned is null || returned.Contains(QidoReturnAttributes.RetrieveUrl) ? retrieveUrl(row) : null;
            if (url is not null) tags.Add(QidoReturnAttributes.RetrieveUrl);
            var regional = tags.Contains(IndexTags.PatientId) ? row.GetValueOrDefault(IndexTags.RegionalPatientId) : null;
            if (!string.IsNullOrEmpty(regional)) tags.Add(OtherPatientIdsSequence);
            tags.Sort();

            writer.WriteStartObject();
            foreach (var tag in tags)
            {
                if (tag == QidoReturnAttributes.RetrieveUrl && url is not null) WriteElement(writer, tag, "UR", url);
                else if (tag == OtherPatientIdsSequence) WriteRegionalId(writer, regional!);
                else WriteElement(writer, tag, VrOf(tag), row.TryGetValue(tag, out var value) ? value : "");
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>(0010,1002) with one item: Patient ID = the regional id, Issuer of Patient ID, Type of Patient ID TEXT.</summary>
    private void WriteRegionalId(Utf8JsonWriter writer, string regionalId)
    {
        writer.WriteStartObject("00101002");
        writer.WriteString("vr", "SQ");
        writer.WriteStartArray("Value");
        writer.WriteStartObject();
        WriteElement(writer, IndexTags.PatientId, "LO", regionalId);
        WriteElement(writer, 0x00100021, "LO", options.Value.RegionalPatientIdIssuer);
        WriteElement(writer, 0x00100022, "CS", "TEXT");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private string VrOf(uint tag) => dictionary.TryGetByTag(tag, out var attribute) ? attribute.Vr : "UN";

    private static void WriteElement(Utf8JsonWriter writer, uint tag, string vr, string value)
    {
        Span<char> key = stackalloc char[8];
        tag.TryFormat(key, out _, "X8", CultureInfo.InvariantCulture);
        writer.WriteStartObject(key);
        writer.WriteString("vr", vr);
        if (value.Length > 0)
        {
            writer.WriteStartArray("Value");
            foreach (var item in value.Split('\\'))
                WriteValue(writer, vr, item.Trim());
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, string vr, string item)
    {
        switch (vr)
        {
            case "PN":
                if (item.Length == 0) { writer.WriteNullValue(); return; }
                writer.WriteStartObject();
                var groups = item.Split('=');
                string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
                for (var i = 0; i < groups.Length && i < names.Length; i++)
                {
                    if (groups[i].Length > 0) writer.WriteString(names[i], groups[i]);
                }
                writer.WriteEndObject();
                return;
            case "IS" or "SL" or "SS" or "UL" or "US" or "SV" or "UV":
                if (long.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) writer.WriteNumberValue(integer);
                else writer.WriteNullValue();
                return;
            case "DS" or "FL" or "FD":
                if (decimal.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) writer.WriteNumberValue(number);
                else writer.WriteNullValue();
                return;
            default:
                if (item.Length == 0) writer.WriteNullValue();
                else writer.WriteStringValue(item);
                return;
        }
    }
}
