using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>Compares our parse of a file with what dcmtk lists for it (dcm2xml: tag, VR, length, value, nesting).</summary>
internal static class DcmtkXmlComparer
{
    public static async Task AssertSameAsDcmtkAsync(string path, DicomDataset ours)
    {
        var r = await DcmtkTools.RunCleanAsync("dcm2xml", Encoding.UTF8, "+M", "+Wb", "+Eh", "+U8", path);
        var doc = XDocument.Parse(r.StandardOutput);
        var dataSet = doc.Root!.Element("data-set") ?? throw new InvalidOperationException("dcm2xml output has no data-set");
        CompareItem(dataSet, ours, Path.GetFileName(path));
    }

    private static void CompareItem(XElement xml, DicomDataset ds, string where)
    {
        var children = xml.Elements().Where(e => e.Name.LocalName is "element" or "sequence" or "pixel-sequence").ToList();
        // +U8 makes dcmtk add (0008,0005) to data sets that had none.
        if (!ds.Contains(DicomTag.SpecificCharacterSet))
            children.RemoveAll(c => ParseTag(c.Attribute("tag")!.Value) == DicomTag.SpecificCharacterSet);
        var xmlTags = children.Select(c => ParseTag(c.Attribute("tag")!.Value)).ToList();
        var ourTags = ds.Select(e => e.Tag).ToList();
        Assert.True(xmlTags.SequenceEqual(ourTags),
            $"{where}: tags differ\n dcmtk: {string.Join(" ", xmlTags)}\n ours:  {string.Join(" ", ourTags)}");
        for (int i = 0; i < children.Count; i++)
        {
            var x = children[i];
            var e = ds.Elements[i];
            var at = $"{where} {e.Tag}";
            Assert.True(x.Attribute("vr")!.Value == e.VR.Code(), $"{at}: VR dcmtk {x.Attribute("vr")!.Value} ours {e.VR}");
            var kind = x.Name.LocalName == "sequence" && x.Elements("pixel-item").Any() ? "pixel-sequence" : x.Name.LocalName;
            switch (kind)
            {
                case "sequence":
                    var seq = Assert.IsType<DicomSequence>(e);
                    var items = x.Elements("item").ToList();
                    Assert.True(items.Count == seq.Items.Count, $"{at}: {items.Count} items in dcmtk, {seq.Items.Count} ours");
                    for (int k = 0; k < items.Count; k++) CompareItem(items[k], seq.Items[k], $"{at}[{k}]");
                    break;
                case "pixel-sequence":
                    var frag = Assert.IsType<DicomFragmentSequence>(e);
                    var pitems = x.Elements("pixel-item").ToList();
                    Assert.True(pitems.Count == frag.Fragments.Count + 1, $"{at}: {pitems.Count} pixel items in dcmtk, ours BOT + {frag.Fragments.Count}");
                    Assert.Equal(long.Parse(pitems[0].Attribute("len")!.Value, CultureInfo.InvariantCulture), frag.BasicOffsetTable.Length);
                    for (int k = 1; k < pitems.Count; k++)
                    {
                        Assert.Equal(long.Parse(pitems[k].Attribute("len")!.Value, CultureInfo.InvariantCulture), frag.Fragments[k - 1].Length);
                        var hex = pitems[k].Value.Split('\\', StringSplitOptions.RemoveEmptyEntries);
                        Assert.True(hex.Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).SequenceEqual(frag.Fragments[k - 1].ToArray()),
                            $"{at}: fragment {k - 1} bytes differ");
                    }
                    break;
                default:
                    // +U8 reports the length after conversion to UTF-8 for text in other character sets.
                    bool converted = e.VR.UsesSpecificCharacterSet() && !ds.CharacterSet.IsDefault && ds.CharacterSet.Encoding.CodePage != 65001;
                    Assert.True(converted || long.Parse(x.Attribute("len")!.Value, CultureInfo.InvariantCulture) == e.Buffer.Length,
                        $"{at}: length dcmtk {x.Attribute("len")!.Value} ours {e.Buffer.Length}");
                    CompareValue(x.Value, e, ds, at);
                    break;
            }
        }
    }

    private static void CompareValue(string dcmtk, DicomElement e, DicomDataset ds, string at)
    {
        var vr = e.VR;
        // +U8 makes dcmtk print the converted set (ISO_IR 192) instead of the stored one.
        if (e.Tag == DicomTag.SpecificCharacterSet) return;
        if (vr == DicomVR.AT)
        {
            var ours = ds.GetString(e.Tag);
            Assert.Equal(Normalize(dcmtk.Replace("(", "").Replace(")", "").Replace(",", "")), Normalize(ours));
        }
        else if (vr.IsString())
        {
            var ours = DicomValueCodec.SplitValues(vr, ds.GetString(e.Tag)).Select(v => v.Trim());
            var theirs = dcmtk.Length == 0 ? [] : (vr.IsSingleValuedText() ? [dcmtk] : dcmtk.Split('\\')).Select(v => v.Trim());
            Assert.True(theirs.SequenceEqual(ours), $"{at}: value dcmtk [{dcmtk}] ours [{ds.GetString(e.Tag)}]");
        }
        else if (vr is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.FD or DicomVR.SV or DicomVR.UV)
        {
            var theirs = dcmtk.Split('\\', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var ours = ds.GetDoubles(e.Tag);
            Assert.True(theirs.Length == ours.Length, $"{at}: {theirs.Length} values in dcmtk, {ours.Length} ours");
            for (int i = 0; i < ours.Length; i++)
                Assert.True(Math.Abs(theirs[i] - ours[i]) <= 1e-5 * Math.Max(1, Math.Abs(ours[i])), $"{at}[{i}]: dcmtk {theirs[i]} ours {ours[i]}");
        }
        else if (vr is DicomVR.OB or DicomVR.UN or DicomVR.OW)
        {
            var tokens = dcmtk.Split('\\', StringSplitOptions.RemoveEmptyEntries);
            var bytes = new List<byte>();
            foreach (var t in tokens)
            {
                if (vr == DicomVR.OW)
                {
                    ushort w = ushort.Parse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    bytes.Add((byte)w);
                    bytes.Add((byte)(w >> 8));
                }
                else
                {
                    bytes.Add(byte.Parse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
            Assert.True(bytes.SequenceEqual(e.Buffer.ToArray()), $"{at}: binary value differs");
        }
    }

    private static string Normalize(string s) => s.Trim().ToUpperInvariant();

    private static DicomTag ParseTag(string s) => DicomTag.Parse(s);
}
