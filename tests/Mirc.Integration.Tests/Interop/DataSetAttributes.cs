using Mirc.Dicom;

namespace Mirc.Integration.Tests.Interop;

/// <summary>What two encodings of one data set must agree on, whichever peer re-encoded it.</summary>
public static class DataSetAttributes
{
    private static readonly DicomTag TrailingPadding = new(0xFFFC, 0xFFFC);

    /// <summary>
    /// Every attribute and value of the data set (DICOM JSON, bulk data inline), without Data Set Trailing Padding,
    /// which carries no meaning (PS3.5 §7.7) and DIMSE senders drop.
    /// </summary>
    public static string Of(byte[] part10)
    {
        var dataset = DicomFileReader.Read(part10).Dataset;
        dataset.Remove(TrailingPadding);
        return System.Text.Encoding.UTF8.GetString(DicomJson.Serialize(dataset));
    }

    /// <summary>
    /// Where the data sets of two Part 10 files part — same tags, same value bytes (little endian), recursively — or null.
    /// The VR is left out on purpose: a DIMSE sender may re-encode in Implicit VR (VRs then come from the dictionary) or
    /// correct a wrong VR on the way (dcmtk writes encapsulated Pixel Data as OB, a file may say OW or UN), and the
    /// receiver stores what travelled.
    /// </summary>
    public static string? ValueDifference(byte[] sentFile, byte[] storedFile) =>
        Compare(DicomFileReader.Read(sentFile).Dataset, DicomFileReader.Read(storedFile).Dataset, "");

    // Group lengths (gggg,0000) are retired in data sets and recomputed or dropped by senders; trailing padding means nothing.
    private static bool Meaningful(DicomElement e) => e.Tag != TrailingPadding && e.Tag.Element != 0;

    private static string? Compare(DicomDataset sent, DicomDataset stored, string path)
    {
        var a = sent.Where(Meaningful).ToList();
        var b = stored.Where(Meaningful).ToList();
        var missing = a.Select(e => e.Tag).Except(b.Select(e => e.Tag)).Concat(b.Select(e => e.Tag).Except(a.Select(e => e.Tag))).ToList();
        if (missing.Count > 0) return $"{path}{missing[0]} is in one data set only";
        foreach (var (x, y) in a.Zip(b))
        {
            var where = path + x.Tag;
            switch (x, y)
            {
                case (DicomSequence s, DicomSequence t):
                    if (s.Items.Count != t.Items.Count) return $"{where}: {s.Items.Count} items sent, {t.Items.Count} stored";
                    for (var i = 0; i < s.Items.Count; i++)
                    {
                        if (Compare(s.Items[i], t.Items[i], $"{where}[{i}].") is { } inner) return inner;
                    }
                    break;
                case (DicomFragmentSequence f, DicomFragmentSequence g):
                    if (FragmentDifference(f, g) is { } fragments) return $"{where}: {fragments}";
                    break;
                case (DicomSequence or DicomFragmentSequence, _) or (_, DicomSequence or DicomFragmentSequence):
                    return $"{where}: {x} sent, {y} stored";
                default:
                    if (!SameValue(x, y)) return $"{where}: {Show(x)} sent, {Show(y)} stored";
                    break;
            }
        }

        return null;
    }

    private static string? FragmentDifference(DicomFragmentSequence sent, DicomFragmentSequence stored)
    {
        if (!sent.BasicOffsetTable.Span.SequenceEqual(stored.BasicOffsetTable.Span))
            return $"Basic Offset Table of {sent.BasicOffsetTable.Length} bytes sent, {stored.BasicOffsetTable.Length} stored, different";
        if (sent.Fragments.Count != stored.Fragments.Count) return $"{sent.Fragments.Count} fragments sent, {stored.Fragments.Count} stored";
        for (var i = 0; i < sent.Fragments.Count; i++)
        {
            var a = sent.Fragments[i].Span;
            var b = stored.Fragments[i].Span;
            // An odd-length fragment (a truncated file: GDCM's 00191113.dcm ends one byte short) is padded to even length
            // by a sender that re-encodes it (PS3.5 §A.4 wants even items): that byte is the sender's.
            var padded = a.Length % 2 == 1 && b.Length == a.Length + 1 && b[..a.Length].SequenceEqual(a);
            if (!padded && !a.SequenceEqual(b)) return $"fragment {i}: {a.Length} bytes sent, {b.Length} stored, {a.CommonPrefixLength(b)} alike";
        }

        return null;
    }

    // Text values compare as PS3.5 §6.2 reads them: per value (backslash-separated), leading and trailing spaces and
    // trailing NUL padding insignificant (dcmtk normalizes padding when it re-encodes); binary values byte for byte.
    private static bool SameValue(DicomElement x, DicomElement y)
    {
        if (x.Buffer.Span.SequenceEqual(y.Buffer.Span)) return true;
        if (!IsText(x.VR) && !IsText(y.VR)) return false;
        return Normalized(x) == Normalized(y);
    }

    private static bool IsText(DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS
        or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    private static string Normalized(DicomElement e) =>
        string.Join('\\', System.Text.Encoding.Latin1.GetString(e.Buffer.Span).Split('\\').Select(v => v.Trim(' ', '\0')));

    private static string Show(DicomElement e) => IsText(e.VR) || e.VR == DicomVR.UN
        ? $"{e.VR.Code()} \"{System.Text.Encoding.Latin1.GetString(e.Buffer.Span)}\""
        : $"{e.VR.Code()} {Convert.ToHexString(e.Buffer.Span[..Math.Min(16, e.Buffer.Length)])} ({e.Buffer.Length} bytes)";
}
