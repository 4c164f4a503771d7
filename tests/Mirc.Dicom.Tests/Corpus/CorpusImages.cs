using Mirc.Testing;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// The images of the Debian corpus: the files dcmdump reads, that our reader reads too and that hold pixel data with
/// rows — read once per test run, shared by the decode, encode and render comparisons.
/// </summary>
internal static class CorpusImages
{
    private static readonly Lazy<IReadOnlyList<(DebianDicomCorpus.CorpusFile File, string TransferSyntaxUid)>> All = new(() =>
    [
        .. DebianDicomCorpus.ReadableByDcmdump.Select(f => (File: f, Syntax: SyntaxOfImage(f.Path))).Where(i => i.Syntax is not null).Select(i => (i.File, i.Syntax!)),
    ]);

    /// <summary>Each image with its transfer syntax.</summary>
    public static IReadOnlyList<(DebianDicomCorpus.CorpusFile File, string TransferSyntaxUid)> Files => All.Value;

    /// <summary>The path of the corpus file named <paramref name="name"/> (a theory's argument).</summary>
    public static string PathOf(string name) => DebianDicomCorpus.Files.Single(f => f.Name == name).Path;

    private static string? SyntaxOfImage(string path)
    {
        try
        {
            var file = DicomFileReader.Read(File.ReadAllBytes(path));
            return file.Dataset.Contains(DicomTag.PixelData) && file.Dataset.GetInt32OrDefault(DicomTag.Rows, 0) > 0 ? file.TransferSyntax.Uid : null;
        }
        catch (DicomFormatException)
        {
            return null;
        }
    }
}
