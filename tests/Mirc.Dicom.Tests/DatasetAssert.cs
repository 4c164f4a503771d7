using Xunit;

namespace Mirc.Dicom.Tests;

/// <summary>Deep comparison of data sets: same tags, VRs, value bytes (padding-insensitive), nested items and fragments.</summary>
internal static class DatasetAssert
{
    public static void Equal(DicomDataset expected, DicomDataset actual, string where = "")
    {
        var e = expected.Where(x => !x.Tag.IsGroupLength).ToList();
        var a = actual.Where(x => !x.Tag.IsGroupLength).ToList();
        Assert.True(e.Select(x => x.Tag).SequenceEqual(a.Select(x => x.Tag)),
            $"{where}: tags differ\n expected {string.Join(" ", e.Select(x => x.Tag))}\n actual   {string.Join(" ", a.Select(x => x.Tag))}");
        for (int i = 0; i < e.Count; i++)
        {
            var at = $"{where} {e[i].Tag}";
            Assert.True(e[i].VR == a[i].VR, $"{at}: VR {e[i].VR} vs {a[i].VR}");
            switch (e[i])
            {
                case DicomSequence s:
                    var t = Assert.IsType<DicomSequence>(a[i]);
                    Assert.True(s.Items.Count == t.Items.Count, $"{at}: item count {s.Items.Count} vs {t.Items.Count}");
                    for (int k = 0; k < s.Items.Count; k++) Equal(s.Items[k], t.Items[k], $"{at}[{k}]");
                    break;
                case DicomFragmentSequence f:
                    var g = Assert.IsType<DicomFragmentSequence>(a[i]);
                    Assert.True(f.BasicOffsetTable.Span.SequenceEqual(g.BasicOffsetTable.Span), $"{at}: offset table differs");
                    Assert.Equal(f.Fragments.Count, g.Fragments.Count);
                    for (int k = 0; k < f.Fragments.Count; k++)
                        Assert.True(Padded(f.Fragments[k]).SequenceEqual(Padded(g.Fragments[k])), $"{at}: fragment {k} differs");
                    break;
                default:
                    Assert.True(Padded(e[i].Buffer).SequenceEqual(Padded(a[i].Buffer)), $"{at}: value differs");
                    break;
            }
        }
    }

    private static byte[] Padded(ReadOnlyMemory<byte> m)
    {
        var b = m.ToArray();
        return (b.Length & 1) == 0 ? b : [.. b, 0];
    }
}
