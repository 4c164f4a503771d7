using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Dcmtk;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Corpus;

/// <summary>
/// Our lossless encoders on real content: every image of the Debian corpus (grey and colour, signed, 8 to 32 bits,
/// big endian, subsampled, already compressed) that a lossless target accepts is transcoded into it, and an independent
/// decoder (dcmdrle, dcmdjpls, dcmdjpeg, gdcmconv for JPEG 2000) must get back exactly the samples we decoded.
/// </summary>
public sealed class DebianCorpusEncodeTests : IDisposable
{
    private static readonly string[] Targets = [DicomUids.RLELossless, DicomUids.JPEGLSLossless, DicomUids.JPEGLosslessSV1, DicomUids.JPEG2000Lossless];

    private const string SecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";
    private const string MultiFrameGrayscaleByteSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7.2";
    private const string MultiFrameGrayscaleWordSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7.3";
    private const string MultiFrameTrueColorSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7.4";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var image in CorpusImages.Files.Where(i => i.Geometry is not null && DicomTranscoder.CanDecode(i.TransferSyntaxUid)))
        {
            foreach (var target in Targets.Where(t => t != image.TransferSyntaxUid && PixelFrameCodecs.Find(t)!.EncodeRefusal(image.Geometry) is null))
                cases.Add(image.File.Name, target);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Lossless_transcode_is_decoded_by_an_independent_decoder_to_our_samples(string name, string target)
    {
        var path = DebianDicomCorpus.PathOf(name);
        var source = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        var frames = FrameGeometry.From(source.Dataset).NumberOfFrames;
        var ours = new List<(byte[] Samples, FrameGeometry Geometry)>();
        try
        {
            for (var f = 0; f < frames; f++) ours.Add(Imaging.FrameDecoder.Decode(source.Dataset, source.TransferSyntax, f));
        }
        catch (DicomFormatException)
        {
            return; // a source we cannot decode (the decode tests say whether the references can)
        }

        var syntax = DicomTransferSyntax.Lookup(target);
        var encoded = DicomTranscoder.Transcode(source.Dataset, source.TransferSyntax, syntax);
        if (target == DicomUids.JPEG2000Lossless && frames > 1 && encoded.GetStringOrDefault(DicomTag.SOPClassUID) == SecondaryCapture)
        {
            // GDCM writes no multi-frame "Secondary Capture Image Storage" (pydicom's 2-frame RGB files are one): name
            // the multi-frame SOP class the content is, so that gdcmconv can be the reference decoder at all.
            encoded.Set(DicomTag.SOPClassUID, ours[0].Geometry.SamplesPerPixel == 3 ? MultiFrameTrueColorSecondaryCapture
                : ours[0].Geometry.BitsAllocated == 8 ? MultiFrameGrayscaleByteSecondaryCapture : MultiFrameGrayscaleWordSecondaryCapture);
        }
        var written = _dir.File(Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(written, new DicomFile(encoded, syntax), cancellationToken: TestContext.Current.CancellationToken);
        var decoded = written + ".native.dcm";
        var decoder = target switch
        {
            DicomUids.RLELossless => new[] { "dcmdrle", written, decoded },
            DicomUids.JPEGLSLossless => ["dcmdjpls", written, decoded],
            DicomUids.JPEGLosslessSV1 => ["dcmdjpeg", "+cn", written, decoded], // samples as encoded: no colour conversion
            _ => ["gdcmconv", "--raw", written, decoded],
        };
        var run = await DcmtkTools.RunAsync(decoder[0], decoder[1..]);
        Assert.True(run.ExitCode == 0, $"{decoder[0]} cannot read our {target} of {name}: {run.StandardError}{run.StandardOutput}");
        var theirs = await DicomFileReader.ReadAsync(decoded, cancellationToken: TestContext.Current.CancellationToken);
        for (var f = 0; f < frames; f++)
        {
            var (samples, geometry) = Imaging.FrameDecoder.Decode(theirs.Dataset, theirs.TransferSyntax, f);
            if (!DicomEncodingEquivalence.SameFrame(ours[f].Samples, ours[f].Geometry, samples, geometry))
                Assert.Fail($"{decoder[0]}'s decode of our {target} of {name} differs from our samples in frame {f + 1} ({geometry.Photometric} vs {ours[f].Geometry.Photometric})");
        }
    }
}
