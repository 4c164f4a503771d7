using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Dcmtk;
using Mirc.Dicom.Tests.PixelData;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// Every compressed file of the Debian corpus — files written by other toolkits, not by our encoders — is decoded by us
/// and by an independent reference (dcmtk's dcmdjpeg / dcmdjpls / dcmdrle, GDCM's gdcmconv for JPEG 2000): where the
/// reference decodes it, so must we, to the same pixel values (lossless syntaxes) or within a few levels of them (lossy
/// JPEG: two IDCT implementations), with the same photometric interpretation.
/// </summary>
public sealed class DebianCorpusDecodeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> CompressedFiles() =>
        [.. CorpusImages.Files.Where(i => ReferenceDecoder(i.TransferSyntaxUid) is not null).Select(i => i.File.Name)];

    [Fact]
    public void Corpus_has_compressed_files_of_every_family_we_decode()
    {
        var syntaxes = CorpusImages.Files.Select(i => i.TransferSyntaxUid).ToHashSet();
        foreach (var family in new[] { DicomUids.RLELossless, DicomUids.JPEGBaseline8Bit, DicomUids.JPEGLosslessSV1, DicomUids.JPEGLSLossless, DicomUids.JPEG2000Lossless })
            Assert.Contains(family, syntaxes);
    }

    [Theory]
    [MemberData(nameof(CompressedFiles))]
    public async Task Compressed_file_decodes_to_the_pixels_of_an_independent_decoder(string name)
    {
        var path = DebianDicomCorpus.PathOf(name);
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        var reference = await ReferenceDecodeAsync(path, ReferenceDecoder(file.TransferSyntax.Uid)!);
        if (reference is null)
        {
            // The reference refuses it too (e.g. a frame count its fragments do not match): nothing to compare with.
            return;
        }

        var ours = DicomTranscoder.Transcode(file.Dataset, file.TransferSyntax, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(reference.Dataset.GetStringOrDefault(DicomTag.PhotometricInterpretation), ours.GetStringOrDefault(DicomTag.PhotometricInterpretation));
        var expected = NativeSamples.Of(reference.Dataset);
        var actual = NativeSamples.Of(ours);
        Assert.Equal(expected.Length, actual.Length);
        if (!file.TransferSyntax.IsLossy)
        {
            if (!expected.AsSpan().SequenceEqual(actual))
                Assert.Fail($"{name}: lossless decode differs from the reference's (first at sample {FirstDifference(expected, actual)} of {expected.Length})");
            return;
        }

        // Lossy JPEG: the standard bounds an IDCT's error, not its exact output, and leaves chroma upsampling to the
        // decoder (4:2:0 colour edges differ by up to ~30 % of the range between two good decoders). A sample wrapped
        // around its range (a black pixel decoded white) is ~100 % off.
        var differences = expected.Zip(actual, (e, a) => Math.Abs(e - a)).ToArray();
        var range = 1L << FrameGeometry.From(ours).BitsStored;
        Assert.True(differences.Average() <= range * 0.015 && differences.Max() <= range * 0.4,
            $"{name}: mean difference {differences.Average():F2}, largest {differences.Max()} from the reference decode (sample range {range})");
    }

    private static int FirstDifference(long[] expected, long[] actual) =>
        Enumerable.Range(0, expected.Length).First(i => expected[i] != actual[i]);

    /// <summary>dcmtk's decoder for the syntax, GDCM's for JPEG 2000 (dcmtk has none), null for what is not compressed or not ours to decode.</summary>
    private static string[]? ReferenceDecoder(string syntax) => syntax switch
    {
        DicomUids.RLELossless => ["dcmdrle"],
        DicomUids.JPEGBaseline8Bit or DicomUids.JPEGExtended12Bit or DicomUids.JPEGLossless or DicomUids.JPEGLosslessSV1 => ["dcmdjpeg"],
        DicomUids.JPEGLSLossless or DicomUids.JPEGLSNearLossless => ["dcmdjpls"],
        DicomUids.JPEG2000Lossless or DicomUids.JPEG2000 => ["gdcmconv", "--raw"],
        _ => null,
    };

    private async Task<DicomFile?> ReferenceDecodeAsync(string input, string[] decoder)
    {
        var output = _dir.File(Guid.NewGuid() + ".dcm");
        var run = await DcmtkTools.RunAsync(decoder[0], [.. decoder[1..], input, output]);
        if (run.ExitCode != 0 || !File.Exists(output)) return null;
        var file = await DicomFileReader.ReadAsync(output, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(file.TransferSyntax.IsEncapsulated, $"{decoder[0]} left {file.TransferSyntax.Uid}");
        return file;
    }
}
