using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;

namespace Mirc.Bench.Micro;

/// <summary>
/// Decode and render of one frame per codec: a 512×512 CT slice (16-bit signed, 12 stored) and a 3000×3000 CR
/// (16-bit, 12 stored). Compressed inputs come from dcmtk (dcmcjpeg, dcmcjpls, dcmcrle) and GDCM (gdcmconv --j2k)
/// in the setup, so they are what modalities send. Thumbnail = decode + window + 128×128 box reduction + JPEG.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CodecRenderBenchmarks
{
    private DicomDataset _header = null!;
    private FrameGeometry _geometry = null!;
    private DicomTransferSyntax _syntax = null!;
    private byte[] _frame = [];
    private byte[] _native = [];
    private FrameGeometry _nativeGeometry = null!;

    /// <summary>CT512 or CR3000 (MIRC_BENCH_CODEC_IMAGES=CT512 runs the slice only: the CR takes minutes per codec on 2 cores).</summary>
    [ParamsSource(nameof(Images))]
    public string Image { get; set; } = "CT512";

    /// <summary>The images measured.</summary>
    public static IEnumerable<string> Images => (Environment.GetEnvironmentVariable("MIRC_BENCH_CODEC_IMAGES") ?? "CT512,CR3000").Split(',');

    /// <summary>Stored transfer syntax.</summary>
    [Params("native", "rle", "jpeg-ls", "jpeg-lossless", "j2k-lossless")]
    public string Codec { get; set; } = "native";

    /// <summary>Writes the image, compresses it with the reference tools, keeps the frame bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var size = Image == "CT512" ? 512 : 3000;
        var source = Synthesize(size, signed: Image == "CT512");
        var dir = Directory.CreateTempSubdirectory("mirc-bench-codec-").FullName;
        try
        {
            var input = Path.Combine(dir, "in.dcm");
            var output = Path.Combine(dir, "out.dcm");
            DicomFileWriter.WriteAsync(input, source).GetAwaiter().GetResult();
            var file = Codec switch
            {
                "native" => source,
                _ => Compress(Codec, input, output),
            };
            _header = file.Dataset;
            _syntax = file.TransferSyntax;
            _geometry = FrameGeometry.From(file.Dataset);
            _frame = file.TransferSyntax.IsEncapsulated
                ? DicomTranscoder.FrameOf((DicomFragmentSequence)file.Dataset[DicomTag.PixelData]!, 0, 1)
                : file.Dataset[DicomTag.PixelData]!.Buffer.ToArray();
            (_native, _nativeGeometry) = FrameDecoder.Decode(_frame, _geometry, _syntax);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Frame bytes → native samples.</summary>
    [Benchmark]
    public int Decode() => FrameDecoder.Decode(_frame, _geometry, _syntax).Samples.Length;

    /// <summary>Native samples → this codec's syntax with our encoder (what a C-GET receiver or a WADO request for it costs).</summary>
    [Benchmark]
    public int Encode() => PixelFrameCodecs.Find(_syntax.Uid) is { CanEncode: true } codec ? codec.Encode(_native, _nativeGeometry).Length : 0;

    /// <summary>Native samples → full-size 8-bit windowed image.</summary>
    [Benchmark]
    public int Render() => FrameRenderer.Render(_header, _native, _nativeGeometry, new RenderOptions()).Pixels.Length;

    /// <summary>
    /// What a viewer's study list asks for, as the thumbnail resource does it: decode (JPEG 2000: only the resolution
    /// levels a 128-pixel image needs), window, reduce to 128×128, JPEG.
    /// </summary>
    [Benchmark]
    public int Thumbnail()
    {
        var image = FrameRenderer.RenderStored(_header, _frame, _geometry, _syntax, new RenderOptions { MaxWidth = 128, MaxHeight = 128 });
        return TurboJpegEncoder.Encode(image, 85).Length;
    }

    /// <summary>Full-size rendered PNG from the stored frame.</summary>
    [Benchmark]
    public int RenderedPng()
    {
        var (samples, geometry) = FrameDecoder.Decode(_frame, _geometry, _syntax);
        return PngEncoder.Encode(FrameRenderer.Render(_header, samples, geometry, new RenderOptions())).Length;
    }

    private static DicomFile Compress(string codec, string input, string output)
    {
        var (tool, args) = codec switch
        {
            "rle" => ("dcmcrle", new[] { input, output }),
            "jpeg-ls" => ("dcmcjpls", new[] { "+el", input, output }),
            "jpeg-lossless" => ("dcmcjpeg", new[] { "+e1", input, output }),
            _ => ("gdcmconv", new[] { "--j2k", input, output }),
        };
        var info = new ProcessStartInfo("/usr/bin/" + tool) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException(tool + " did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool}: {error}");
        return DicomFileReader.ReadAsync(output).GetAwaiter().GetResult();
    }

    /// <summary>A smooth body-like disc with noise: compresses like a real image, not like random bytes.</summary>
    private static DicomFile Synthesize(int size, bool signed)
    {
        var ds = new DicomDataset()
            .Set(DicomTag.SOPClassUID, signed ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.1")
            .Set(DicomTag.SOPInstanceUID, "2.25.1" + size)
            .Set(DicomTag.StudyInstanceUID, "2.25.2").Set(DicomTag.SeriesInstanceUID, "2.25.3")
            .Set(DicomTag.Modality, signed ? "CT" : "CR")
            .Set(DicomTag.SamplesPerPixel, 1).Set(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Set(DicomTag.Rows, size).Set(DicomTag.Columns, size)
            .Set(DicomTag.BitsAllocated, 16).Set(DicomTag.BitsStored, signed ? 16 : 12).Set(DicomTag.HighBit, signed ? 15 : 11)
            .Set(DicomTag.PixelRepresentation, signed ? 1 : 0)
            .Set(DicomTag.RescaleIntercept, "0").Set(DicomTag.RescaleSlope, "1")
            .Set(DicomTag.WindowCenter, signed ? "40" : "2048").Set(DicomTag.WindowWidth, signed ? "400" : "4096");
        var random = new Random(5);
        var pixels = new byte[size * size * 2];
        double r2 = size * size / 5.0;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double dx = x - size / 2.0, dy = y - size / 2.0;
            int v = dx * dx + dy * dy < r2 ? (signed ? 40 : 2000) + (int)(200 * Math.Sin(x / 17.0) * Math.Cos(y / 23.0)) : (signed ? -1000 : 200);
            v += random.Next(-8, 8);
            pixels[(y * size + x) * 2] = (byte)v;
            pixels[(y * size + x) * 2 + 1] = (byte)(v >> 8);
        }
        ds.Set(DicomTag.PixelData, DicomVR.OW, pixels);
        return new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
    }
}
