using System.Text;
using System.Text.Json.Nodes;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// The DICOM JSON model (PS3.18 Annex F) of every corpus file, ours against pydicom's <c>to_json_dict</c> (Debian's
/// python3-pydicom, an independent implementation): the same attributes, VRs and values. Differences the standard allows
/// either way are not counted: group lengths (pydicom keeps them), a float written in its shortest form (pydicom widens
/// FL to a double first), trailing padding of a string, an empty value of a multi-valued attribute as null or "", an
/// empty sequence without Value or with [], the VR of a private element we do not know (UN; pydicom has a private
/// dictionary), a standard element written as UN of 64 KB or more (pydicom keeps UN) and encapsulated pixel data in an
/// item (pydicom inlines it, our metadata refers to it).
/// </summary>
public sealed class DebianCorpusJsonTests
{
    private const string Dump = """
        import json, sys, pydicom
        out = {}
        for path in sys.argv[1:]:
            try:
                ds = pydicom.dcmread(path)
                if 'PixelData' in ds: del ds.PixelData
                out[path] = ds.to_json_dict(bulk_data_threshold=10**9)
            except Exception as e:
                out[path] = None
        json.dump(out, sys.stdout)
        """;

    private static readonly Lazy<JsonObject> Pydicom = new(() =>
    {
        var files = DebianDicomCorpus.ReadableByDcmdump.Select(f => f.Path).ToArray();
        // Debian's interpreter: the one python3-pydicom is installed for.
        // Minutes, not seconds: pydicom reads the whole corpus in this one run.
        var run = ExternalTool.Run("/usr/bin/python3", ["-c", Dump, .. files], TimeSpan.FromMinutes(5), Encoding.UTF8);
        return JsonNode.Parse(run.StandardOutput)!.AsObject();
    });

    public static TheoryData<string> Files() => [.. DebianDicomCorpus.ReadableByDcmdump.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Json_model_matches_pydicoms(string name)
    {
        var path = DebianDicomCorpus.PathOf(name);
        if (Pydicom.Value[path] is not JsonObject theirs) return; // pydicom cannot read it (no meta header, a malformed IS): no referee
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        file.Dataset.Remove(DicomTag.PixelData);
        var ours = JsonNode.Parse(DicomJson.Serialize(file.Dataset))!.AsObject();
        var differences = new List<string>();
        Compare(ours, theirs, "", differences);
        Assert.True(differences.Count == 0, $"{name}: {differences.Count} difference(s) from pydicom:\n{string.Join('\n', differences.Take(10))}");
    }

    private static void Compare(JsonObject ours, JsonObject theirs, string at, List<string> differences)
    {
        foreach (var (key, value) in theirs)
        {
            var tag = Convert.ToUInt32(key, 16);
            if ((tag & 0xFFFF) == 0) continue; // group length
            var their = value!.AsObject();
            if (!ours.TryGetPropertyValue(key, out var node))
            {
                differences.Add($"{at}{key}: missing (pydicom: {Short(their)})");
                continue;
            }
            var our = node!.AsObject();
            string? ourVr = our["vr"]?.GetValue<string>(), theirVr = their["vr"]?.GetValue<string>();
            var isPrivate = (tag >> 16 & 1) == 1;
            if (isPrivate && ourVr == "UN" && theirVr != "UN") continue; // a private element we have no dictionary for
            if (theirVr == "UN" && ourVr != "UN" && their["InlineBinary"] is JsonValue un && Convert.FromBase64String(un.GetValue<string>()).Length >= 0xFFFF)
                continue; // 64 KB or more: pydicom keeps UN (no 16-bit length holds it); we read the known VR, and write UN
            if (ourVr != theirVr)
            {
                differences.Add($"{at}{key}: VR {ourVr}, pydicom {theirVr}");
                continue;
            }
            if (their["InlineBinary"] is JsonValue theirBinary)
            {
                // Encapsulated pixel data in an item (an icon): pydicom inlines its items; ours has no inline form — WADO-RS
                // metadata gives it a BulkDataURI (MetadataTests).
                if (at.Length > 0 && key == "7FE00010" && our.Count == 1 && Convert.FromBase64String(theirBinary.GetValue<string>()) is [0xFE, 0xFF, 0x00, 0xE0, ..])
                    continue;
                if (our["InlineBinary"]?.GetValue<string>() is not { } ourBinary || !Convert.FromBase64String(ourBinary).SequenceEqual(Convert.FromBase64String(theirBinary.GetValue<string>())))
                    differences.Add($"{at}{key}: binary {Short(our)}, pydicom {Short(their)}");
                continue;
            }
            var theirValues = their["Value"] as JsonArray ?? [];
            var ourValues = our["Value"] as JsonArray ?? [];
            if (theirValues.Count != ourValues.Count)
            {
                differences.Add($"{at}{key}: {ourValues.Count} value(s) {Short(our)}, pydicom {theirValues.Count} {Short(their)}");
                continue;
            }
            for (var i = 0; i < theirValues.Count; i++)
            {
                if (theirVr == "SQ") Compare(ourValues[i]!.AsObject(), theirValues[i]!.AsObject(), $"{at}{key}[{i}].", differences);
                else if (!SameValue(ourValues[i], theirValues[i], theirVr!)) differences.Add($"{at}{key}[{i}] ({theirVr}): {ourValues[i]?.ToJsonString()}, pydicom {theirValues[i]?.ToJsonString()}");
            }
        }
        foreach (var (key, node) in ours)
        {
            if (!theirs.ContainsKey(key)) differences.Add($"{at}{key}: only ours ({Short(node!)})");
        }
    }

    private static bool SameValue(JsonNode? ours, JsonNode? theirs, string vr)
    {
        if (theirs is JsonValue text && text.TryGetValue<string>(out var s) && s.TrimEnd(' ', '\0').Length == 0) return ours is null || ours.ToString().Length == 0;
        if (ours is null || theirs is null) return ours is null && theirs is null;
        if (ours is JsonValue a && theirs is JsonValue b && a.TryGetValue<double>(out var x) && b.TryGetValue<double>(out var y))
            return vr is "FL" or "OF" ? (float)x == (float)y : x == y || Math.Abs(x - y) <= 1e-12 * Math.Max(Math.Abs(x), Math.Abs(y));
        if (ours is JsonValue c && theirs is JsonValue d && c.TryGetValue<string>(out var u) && d.TryGetValue<string>(out var v)) return u == v.TrimEnd(' ', '\0');
        return JsonNode.DeepEquals(ours, theirs);
    }

    private static string Short(JsonNode node)
    {
        var json = node.ToJsonString();
        return json.Length <= 100 ? json : json[..100] + "…";
    }
}
