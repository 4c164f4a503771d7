using Xunit;

namespace Mirc.Dicom.Tests;

/// <summary>Compares data sets by meaning (tag, VR, decoded values) rather than bytes, for text round trips (JSON, XML).</summary>
internal static class SemanticAssert
{
    public static void Equal(DicomDataset expected, DicomDataset actual, string where = "", bool ignoreCharacterSet = false, bool skipWordBinary = false)
    {
        bool Keep(DicomElement e) => !e.Tag.IsGroupLength && !(ignoreCharacterSet && e.Tag == DicomTag.SpecificCharacterSet);
        var e = expected.Where(Keep).ToList();
        var a = actual.Where(Keep).ToList();
        Assert.True(e.Select(x => x.Tag).SequenceEqual(a.Select(x => x.Tag)),
            $"{where}: tags differ\n expected {string.Join(" ", e.Select(x => x.Tag))}\n actual   {string.Join(" ", a.Select(x => x.Tag))}");
        for (int i = 0; i < e.Count; i++)
        {
            var at = $"{where} {e[i].Tag}";
            Assert.True(e[i].VR == a[i].VR, $"{at}: VR {e[i].VR} vs {a[i].VR}");
            var vr = e[i].VR;
            if (e[i] is DicomSequence s)
            {
                var t = Assert.IsType<DicomSequence>(a[i]);
                Assert.Equal(s.Items.Count, t.Items.Count);
                for (int k = 0; k < s.Items.Count; k++) Equal(s.Items[k], t.Items[k], $"{at}[{k}]", ignoreCharacterSet, skipWordBinary);
            }
            else if (vr is DicomVR.DS or DicomVR.IS or DicomVR.FL or DicomVR.FD or DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.SV or DicomVR.UV)
            {
                var x = expected.GetDoubles(e[i].Tag);
                var y = actual.GetDoubles(a[i].Tag);
                Assert.True(x.Length == y.Length, $"{at}: {x.Length} vs {y.Length} values");
                for (int k = 0; k < x.Length; k++) Assert.True(Math.Abs(x[k] - y[k]) <= 1e-6 * Math.Max(1, Math.Abs(x[k])), $"{at}[{k}]: {x[k]} vs {y[k]}");
            }
            else if (vr.IsString() || vr == DicomVR.AT)
            {
                Assert.True(expected.GetStrings(e[i].Tag).SequenceEqual(actual.GetStrings(a[i].Tag)),
                    $"{at}: [{expected.GetStringOrDefault(e[i].Tag)}] vs [{actual.GetStringOrDefault(a[i].Tag)}]");
            }
            else if (skipWordBinary && vr is DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.OW)
            {
                Assert.Equal(e[i].Buffer.Length, a[i].Buffer.Length);
            }
            else
            {
                var x = e[i].Buffer.ToArray();
                var y = a[i].Buffer.ToArray();
                if ((x.Length & 1) == 1) x = [.. x, 0];
                if ((y.Length & 1) == 1) y = [.. y, 0];
                Assert.True(x.SequenceEqual(y), $"{at}: binary value differs");
            }
        }
    }
}
