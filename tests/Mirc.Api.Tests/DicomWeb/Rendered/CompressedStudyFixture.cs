using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Dicom;
using Mirc.Testing;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb.Rendered;

/// <summary>
/// One host holding a study of real compressed instances made by dcmtk from a known CT-like frame: JPEG Lossless SV1
/// (dcmcjpeg), JPEG-LS lossless (dcmcjpls), RLE (dcmcrle), JPEG 2000 lossless (GDCM's gdcmconv), and the uncompressed
/// original (signed 16-bit, 3 frames); a second study has a corrupt instance between two good ones.
/// </summary>
public sealed class CompressedStudyFixture : IAsyncLifetime
{
    public const int Rows = 64, Columns = 48;

    private readonly string _dir = Directory.CreateTempSubdirectory("mirc-rendered-").FullName;

    public ApiHost Host { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public string StudyUid { get; } = SyntheticInstance.NewUid();

    public string SeriesUid { get; } = SyntheticInstance.NewUid();

    /// <summary>SOP instance UID by transfer syntax UID.</summary>
    public Dictionary<string, string> Sops { get; } = [];

    /// <summary>The native pixel bytes every instance decodes to (one frame).</summary>
    public byte[] Pixels { get; private set; } = [];

    /// <summary>The uncompressed multi-frame signed instance.</summary>
    public string MultiFrameSop { get; } = SyntheticInstance.NewUid();

    public async ValueTask InitializeAsync()
    {
        Http = Host.CreateClient();
        var files = new List<byte[]>();
        var original = Build(SyntheticInstance.NewUid(), frames: 1, signed: false);
        Pixels = original.Dataset[DicomTag.PixelData]!.Buffer.ToArray();
        var source = Path.Combine(_dir, "source.dcm");
        await DicomFileWriter.WriteAsync(source, original);
        foreach (var (tool, args, syntax) in new[]
                 {
                     ("dcmcjpeg", new[] { "+e1" }, DicomUids.JPEGLosslessSV1),
                     ("dcmcjpls", ["+el"], DicomUids.JPEGLSLossless),
                     ("dcmcrle", Array.Empty<string>(), DicomUids.RLELossless),
                     ("gdcmconv", ["--j2k"], DicomUids.JPEG2000Lossless),
                 })
        {
            var sop = SyntheticInstance.NewUid();
            var input = Path.Combine(_dir, sop + ".in.dcm");
            var withUid = Build(sop, frames: 1, signed: false);
            await DicomFileWriter.WriteAsync(input, withUid);
            var output = Path.Combine(_dir, sop + ".dcm");
            await RunAsync(tool, [.. args, input, output]);
            files.Add(await File.ReadAllBytesAsync(output));
            Sops[syntax] = sop;
        }
        files.Add(DicomFileWriter.Write(Build(MultiFrameSop, frames: 3, signed: true)));
        var response = await Http.StowAsync(files);
        Assert.True(response.IsSuccessStatusCode, $"STOW answered {(int)response.StatusCode}");

        // A second study of three RLE instances whose second one has a corrupt RLE header (ingest does not decode).
        var broken = new List<byte[]>();
        for (int n = 1; n <= 3; n++)
        {
            var sop = n == 2 ? CorruptSop : SyntheticInstance.NewUid();
            var native = Build(sop, frames: 1, signed: false, study: BrokenStudyUid, instanceNumber: n);
            var rle = Dicom.PixelData.DicomTranscoder.Transcode(native.Dataset, native.TransferSyntax, DicomTransferSyntax.RLELossless);
            if (n == 2)
            {
                var fragment = ((DicomFragmentSequence)rle[DicomTag.PixelData]!).Fragments[0].ToArray();
                fragment[0] = 7; // segment count: a 16-bit grey frame has 2
                rle.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, default, [fragment]));
            }
            broken.Add(DicomFileWriter.Write(new DicomFile(rle, DicomTransferSyntax.RLELossless)));
        }
        var stored = await Http.StowAsync(broken);
        Assert.True(stored.IsSuccessStatusCode, $"STOW of the broken study answered {(int)stored.StatusCode}");

        // An enhanced image (two frames): rescale in the shared functional groups, each frame's window in its own.
        var enhanced = Build(EnhancedSop, frames: 2, signed: false, study: EnhancedStudyUid).Dataset;
        foreach (var tag in new[] { DicomTag.RescaleIntercept, DicomTag.RescaleSlope, DicomTag.WindowCenter, DicomTag.WindowWidth }) enhanced.Remove(tag);
        var shared = new DicomDataset();
        shared.SetSequence(DicomTag.PixelValueTransformationSequence, new DicomDataset().Set(DicomTag.RescaleIntercept, "-1024").Set(DicomTag.RescaleSlope, "1").Set(DicomTag.RescaleType, "HU"));
        enhanced.SetSequence(DicomTag.SharedFunctionalGroupsSequence, shared);
        DicomDataset FrameWindow(string center, string width)
        {
            var frame = new DicomDataset();
            frame.SetSequence(DicomTag.FrameVOILUTSequence, new DicomDataset().Set(DicomTag.WindowCenter, center).Set(DicomTag.WindowWidth, width));
            return frame;
        }
        enhanced.SetSequence(DicomTag.PerFrameFunctionalGroupsSequence, FrameWindow("40", "400"), FrameWindow("-600", "1500"));
        var enhancedStored = await Http.StowAsync([DicomFileWriter.Write(new DicomFile(enhanced, DicomTransferSyntax.ExplicitVRLittleEndian))]);
        Assert.True(enhancedStored.IsSuccessStatusCode, $"STOW of the enhanced image answered {(int)enhancedStored.StatusCode}");
    }

    /// <summary>Study holding <see cref="EnhancedSop"/> (in series <see cref="SeriesUid"/>).</summary>
    public string EnhancedStudyUid { get; } = SyntheticInstance.NewUid();

    /// <summary>Two frames with the shared rescale −1024 and windows 40/400 (frame 1) and −600/1500 (frame 2) in functional groups.</summary>
    public string EnhancedSop { get; } = SyntheticInstance.NewUid();

    /// <summary>Study of three RLE instances (instance numbers 1–3); the second cannot be decoded.</summary>
    public string BrokenStudyUid { get; } = SyntheticInstance.NewUid();

    /// <summary>The undecodable instance of <see cref="BrokenStudyUid"/> (in series <see cref="SeriesUid"/>).</summary>
    public string CorruptSop { get; } = SyntheticInstance.NewUid();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A CT-like frame: gradient plus a bright square, window 40/400, rescale −1024 (unsigned) or 0 (signed).</summary>
    private DicomFile Build(string sop, int frames, bool signed, string? study = null, int instanceNumber = 1)
    {
        var ds = new DicomDataset()
            .Set(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Set(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .Set(DicomTag.SOPInstanceUID, sop)
            .Set(DicomTag.StudyInstanceUID, study ?? StudyUid)
            .Set(DicomTag.SeriesInstanceUID, SeriesUid)
            .Set(DicomTag.StudyDate, "20250314")
            .Set(DicomTag.PatientID, "RENDER-1")
            .Set(DicomTag.PatientName, "RENDU^Test")
            .Set(DicomTag.Modality, "CT")
            .Set(DicomTag.SeriesNumber, 1)
            .Set(DicomTag.InstanceNumber, instanceNumber)
            .Set(DicomTag.SamplesPerPixel, 1)
            .Set(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Set(DicomTag.Rows, Rows).Set(DicomTag.Columns, Columns)
            .Set(DicomTag.BitsAllocated, 16).Set(DicomTag.BitsStored, signed ? 16 : 12).Set(DicomTag.HighBit, signed ? 15 : 11)
            .Set(DicomTag.PixelRepresentation, signed ? 1 : 0)
            .Set(DicomTag.RescaleIntercept, signed ? "0" : "-1024").Set(DicomTag.RescaleSlope, "1")
            .Set(DicomTag.WindowCenter, "40").Set(DicomTag.WindowWidth, "400");
        if (frames > 1) ds.Set(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var pixels = new byte[Rows * Columns * 2 * frames];
        for (int f = 0; f < frames; f++)
        for (int y = 0; y < Rows; y++)
        for (int x = 0; x < Columns; x++)
        {
            // HU −1000 (left) to +1000 (right); signed frames store HU directly, unsigned ones HU + 1024.
            int hu = -1000 + 2000 * x / (Columns - 1) + f * 10;
            int v = signed ? hu : hu + 1024;
            int i = ((f * Rows + y) * Columns + x) * 2;
            pixels[i] = (byte)v;
            pixels[i + 1] = (byte)(v >> 8);
        }
        ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    private static async Task RunAsync(string tool, string[] args)
    {
        var path = "/usr/bin/" + tool;
        Assert.True(File.Exists(path), $"{tool} is missing: run ./test.sh, which installs dcmtk and GDCM's tools");
        var run = await ExternalTool.RunAsync(path, args, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.True(run.ExitCode == 0, $"{tool} failed: {run.StandardError}");
    }
}
