using Mirc.Dicom.PixelData;
using Mirc.Testing;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// The images of the Debian corpus: the files dcmdump reads, that our reader reads too and that hold pixel data with
/// rows — read once per test run, shared by the decode, encode and render comparisons.
/// </summary>
internal static class CorpusImages
{
    /// <summary>One image: its file, transfer syntax, and pixel module when <see cref="FrameGeometry"/> takes it.</summary>
    public sealed record Image(DebianDicomCorpus.CorpusFile File, string TransferSyntaxUid, FrameGeometry? Geometry);

    private static readonly Lazy<IReadOnlyList<Image>> All = new(() =>
        [.. DebianDicomCorpus.ReadableByDcmdump.Select(Read).OfType<Image>()]);

    /// <summary>Every image.</summary>
    public static IReadOnlyList<Image> Files => All.Value;

    private static Image? Read(DebianDicomCorpus.CorpusFile corpusFile)
    {
        DicomFile file;
        try
        {
            file = DicomFileReader.Read(File.ReadAllBytes(corpusFile.Path));
        }
        catch (DicomFormatException)
        {
            return null;
        }

        if (!file.Dataset.Contains(DicomTag.PixelData) || file.Dataset.GetInt32OrDefault(DicomTag.Rows, 0) <= 0) return null;
        FrameGeometry? geometry;
        try
        {
            geometry = FrameGeometry.From(file.Dataset);
        }
        catch (DicomFormatException)
        {
            geometry = null; // 1-bit samples, more than 3 samples per pixel: not a pixel module the codecs take
        }
        return new Image(corpusFile, file.TransferSyntax.Uid, geometry);
    }
}
