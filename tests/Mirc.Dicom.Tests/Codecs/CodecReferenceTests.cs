using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Dcmtk;
using Mirc.Dicom.Tests.PixelData;
using Mirc.Testing.Deidentification;
using Xunit;

namespace Mirc.Dicom.Tests.Codecs;

/// <summary>
/// Our decoders against the reference ones: each file is compressed by dcmtk or GDCM, decoded by us and by
/// dcmtk (dcmdjpeg / dcmdjpls / dcmdrle) and GDCM (gdcmconv --raw); lossless pixel values must be identical, and
/// identical to the original.
/// </summary>
public sealed class CodecReferenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mirc-codec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string[], string, string[]> LosslessCases() => new()
    {
        // name, compressor + args, expected transfer syntax, dcmtk reference decoder
        { "jpeg-lossless-sv1-12bit", ["dcmcjpeg", "+e1"], DicomUids.JPEGLosslessSV1, ["dcmdjpeg"] },
        { "jpeg-lossless-sv1-16bit", ["dcmcjpeg", "+e1"], DicomUids.JPEGLosslessSV1, ["dcmdjpeg"] },
        { "jpeg-lossless-p14-sv1-12bit", ["dcmcjpeg", "+el", "+sv", "1"], DicomUids.JPEGLossless, ["dcmdjpeg"] },
        { "jpegls-lossless-12bit", ["dcmcjpls", "+el"], DicomUids.JPEGLSLossless, ["dcmdjpls"] },
        { "rle-12bit", ["dcmcrle"], DicomUids.RLELossless, ["dcmdrle"] },
        { "rle-signed-16bit", ["dcmcrle"], DicomUids.RLELossless, ["dcmdrle"] },
        { "j2k-lossless-12bit", ["gdcmconv", "--j2k"], DicomUids.JPEG2000Lossless, ["gdcmconv", "--raw"] },
        { "jpegls-lossless-rgb", ["dcmcjpls", "+el"], DicomUids.JPEGLSLossless, ["dcmdjpls"] },
        { "jpeg-lossless-rgb", ["dcmcjpeg", "+e1"], DicomUids.JPEGLosslessSV1, ["dcmdjpeg"] },
        { "rle-rgb", ["dcmcrle"], DicomUids.RLELossless, ["dcmdrle"] },
        { "j2k-lossless-rgb", ["gdcmconv", "--j2k"], DicomUids.JPEG2000Lossless, ["gdcmconv", "--raw"] },
    };

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public async Task Lossless_decode_matches_the_original_and_the_reference_decoders(string name, string[] compressor, string syntax, string[] reference)
    {
        var original = Source(name);
        var compressed = await CompressAsync(original, compressor);
        Assert.Equal(syntax, compressed.TransferSyntax.Uid);

        var ours = DicomTranscoder.Transcode(compressed.Dataset, compressed.TransferSyntax, DicomTransferSyntax.ExplicitVRLittleEndian);
        var theirs = await ReferenceDecodeAsync(compressed, reference);
        Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(ours));
        Assert.Equal(NativeSamples.Of(theirs.Dataset), NativeSamples.Of(ours));
        Assert.Equal(theirs.Dataset.GetString(DicomTag.PhotometricInterpretation), ours.GetString(DicomTag.PhotometricInterpretation));
        Assert.Equal(compressed.Dataset.GetString(DicomTag.SOPInstanceUID), ours.GetString(DicomTag.SOPInstanceUID));

        // GDCM is the second, independent reference for every lossless file.
        var gdcm = await ReferenceDecodeAsync(compressed, ["gdcmconv", "--raw"]);
        Assert.Equal(NativeSamples.Of(gdcm.Dataset), NativeSamples.Of(ours));
    }

    [Theory]
    [InlineData("jpeg-baseline-rgb", new[] { "dcmcjpeg", "+eb" }, DicomUids.JPEGBaseline8Bit)]
    [InlineData("jpeg-extended-12bit", new[] { "dcmcjpeg", "+ee" }, DicomUids.JPEGExtended12Bit)]
    [InlineData("jpegls-near-12bit", new[] { "dcmcjpls", "+en", "+md", "3" }, DicomUids.JPEGLSNearLossless)]
    public async Task Lossy_decode_is_close_to_the_reference_decoder(string name, string[] compressor, string syntax)
    {
        var original = Source(name);
        var compressed = await CompressAsync(original, compressor);
        Assert.Equal(syntax, compressed.TransferSyntax.Uid);
        var ours = DicomTranscoder.Transcode(compressed.Dataset, compressed.TransferSyntax, DicomTransferSyntax.ExplicitVRLittleEndian);
        // No trustworthy lossy JPEG 2000 encoder here (GDCM's is marked experimental and its output does not round-trip).
        var theirs = await ReferenceDecodeAsync(compressed, syntax == DicomUids.JPEGLSNearLossless ? ["dcmdjpls"] : ["dcmdjpeg"]);
        Assert.Equal(theirs.Dataset.GetString(DicomTag.PhotometricInterpretation), ours.GetString(DicomTag.PhotometricInterpretation));
        var a = NativeSamples.Of(ours);
        var b = NativeSamples.Of(theirs.Dataset);
        Assert.Equal(b.Length, a.Length);
        // Decoders may round differently (IDCT, colour conversion, upsampling): a few levels at most, on average far less.
        double meanError = a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Average();
        Assert.True(meanError < 2.0, $"mean absolute difference {meanError:F2} to the reference decode: ours {string.Join(",", a.Take(8))} theirs {string.Join(",", b.Take(8))}");
        Assert.Equal("01", ours.GetString(DicomTag.LossyImageCompression));
    }

    [Theory]
    [InlineData(DicomUids.RLELossless, "dcmdrle")]
    [InlineData(DicomUids.JPEGLSLossless, "dcmdjpls")]
    [InlineData(DicomUids.JPEGLosslessSV1, "dcmdjpeg")]
    [InlineData(DicomUids.JPEGLossless, "dcmdjpeg")]
    [InlineData(DicomUids.JPEG2000Lossless, "gdcmconv")]
    public async Task Our_encoder_output_is_decoded_exactly_by_dcmtk_and_gdcm(string syntax, string decoder)
    {
        var target = DicomTransferSyntax.Lookup(syntax);
        foreach (var original in EncoderInputs())
        {
            var encoded = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, target);
            var file = new DicomFile(encoded, target);
            // dcmtk has no JPEG 2000 codec: GDCM is the reference there, and the second one for every syntax.
            if (decoder != "gdcmconv") Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of((await ReferenceDecodeAsync(file, [decoder])).Dataset));
            var gdcm = await ReferenceDecodeAsync(file, ["gdcmconv", "--raw"]);
            Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(gdcm.Dataset));
            Assert.Equal(gdcm.Dataset.GetString(DicomTag.PhotometricInterpretation), DicomTranscoder.Transcode(encoded, target, DicomTransferSyntax.ExplicitVRLittleEndian)
                .GetString(DicomTag.PhotometricInterpretation));
            // And our own decoder reads it back exactly.
            Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(DicomTranscoder.Transcode(encoded, target, DicomTransferSyntax.ExplicitVRLittleEndian)));
            Assert.False(encoded.Contains(DicomTag.LossyImageCompression), "a lossless encoding marked lossy");
        }
    }

    [Theory]
    [InlineData(DicomUids.JPEGLSNearLossless, "dcmdjpls", "ISO_14495_1")]
    [InlineData(DicomUids.JPEG2000, "gdcmconv", "ISO_15444_1")]
    public async Task Lossy_encoder_output_is_decoded_by_the_reference_within_its_bound_and_marked_lossy(string syntax, string decoder, string method)
    {
        var target = DicomTransferSyntax.Lookup(syntax);
        foreach (var original in EncoderInputs())
        {
            var encoded = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, target);
            var reference = await ReferenceDecodeAsync(new DicomFile(encoded, target), decoder == "gdcmconv" ? ["gdcmconv", "--raw"] : [decoder]);
            var ours = DicomTranscoder.Transcode(encoded, target, DicomTransferSyntax.ExplicitVRLittleEndian);
            var (a, b, o) = (NativeSamples.Of(ours), NativeSamples.Of(reference.Dataset), NativeSamples.Of(original.Dataset));
            Assert.Equal(o.Length, b.Length);
            if (syntax == DicomUids.JPEGLSNearLossless)
            {
                // NEAR bounds every sample's error, and both decoders agree exactly (JPEG-LS decoding is deterministic).
                Assert.Equal(b, a);
                var worst = o.Zip(b, (x, y) => Math.Abs(x - y)).Max();
                Assert.InRange(worst, 0, JpegLsCodec.NearLosslessError);
            }
            else
            {
                double range = o.Max() - o.Min() + 1;
                double meanError = o.Zip(b, (x, y) => (double)Math.Abs(x - y)).Average();
                Assert.True(meanError < range * 0.02, $"mean error {meanError:F2} of a range of {range} after the reference decode");
                Assert.True(a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Average() < 1.0, "our decode and GDCM's differ");
            }
            Assert.Equal("01", encoded.GetString(DicomTag.LossyImageCompression));
            Assert.Equal(method, encoded.GetStrings(DicomTag.LossyImageCompressionMethod)[^1]);
            Assert.Equal("01", ours.GetString(DicomTag.LossyImageCompression));
        }
    }

    [Fact]
    public async Task Jpeg_baseline_output_is_decoded_by_dcmdjpeg_and_gdcm_close_to_the_original_and_marked_lossy()
    {
        var target = DicomTransferSyntax.Lookup(DicomUids.JPEGBaseline8Bit);
        foreach (var original in new[] { CodecImages.Grey8(41, 57), CodecImages.Rgb(40, 56) })
        {
            var encoded = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, target);
            var file = new DicomFile(encoded, target);
            var o = NativeSamples.Of(original.Dataset);
            // dcmdjpeg converts YCbCr back to RGB by default, as our decoder does: compare samples with the original.
            var reference = await ReferenceDecodeAsync(file, ["dcmdjpeg"]);
            Assert.Equal(original.Dataset.GetString(DicomTag.PhotometricInterpretation), reference.Dataset.GetString(DicomTag.PhotometricInterpretation));
            var b = NativeSamples.Of(reference.Dataset);
            Assert.Equal(o.Length, b.Length);
            double meanError = o.Zip(b, (x, y) => (double)Math.Abs(x - y)).Average();
            Assert.True(meanError < 3.0, $"mean error {meanError:F2} (of 255) after dcmdjpeg, quality 90");
            // GDCM, the second reference, decodes it too.
            await ReferenceDecodeAsync(file, ["gdcmconv", "--raw"]);
            // dicom3tools' dciodvfy finds nothing new in it (YBR_FULL, 4:4:4, was not among the SC IOD's values).
            var (originalPath, encodedPath) = (Path.Combine(_dir, Guid.NewGuid() + ".dcm"), Path.Combine(_dir, Guid.NewGuid() + ".dcm"));
            await DicomFileWriter.WriteAsync(originalPath, original, cancellationToken: TestContext.Current.CancellationToken);
            await DicomFileWriter.WriteAsync(encodedPath, file, cancellationToken: TestContext.Current.CancellationToken);
            var newErrors = (await IndependentDeidentificationCheck.ValidationErrorsAsync(encodedPath)).Except(await IndependentDeidentificationCheck.ValidationErrorsAsync(originalPath));
            Assert.Empty(newErrors);
            var ours = NativeSamples.Of(DicomTranscoder.Transcode(encoded, target, DicomTransferSyntax.ExplicitVRLittleEndian));
            Assert.True(o.Zip(ours, (x, y) => (double)Math.Abs(x - y)).Average() < 3.0, "our own decode of our baseline output is far from the original");
            Assert.Equal(original.Dataset.GetInt32OrDefault(DicomTag.SamplesPerPixel, 1) == 3 ? "YBR_FULL_422" : "MONOCHROME2", encoded.GetString(DicomTag.PhotometricInterpretation));
            Assert.Equal("01", encoded.GetString(DicomTag.LossyImageCompression));
            Assert.Equal("ISO_10918_1", encoded.GetStrings(DicomTag.LossyImageCompressionMethod)[^1]);
            Assert.True(double.Parse(encoded.GetStrings(DicomTag.LossyImageCompressionRatio)[^1], System.Globalization.CultureInfo.InvariantCulture) > 1);
        }

        // 12/16-bit frames and the extended 12-bit syntax are refused with the reason, never truncated to 8 bits.
        var ct = CodecImages.Monochrome(16, 16, 12, signed: false);
        var refused = Assert.Throws<NotSupportedException>(() => DicomTranscoder.Transcode(ct.Dataset, ct.TransferSyntax, target));
        Assert.Contains("8-bit", refused.Message, StringComparison.Ordinal);
        Assert.False(DicomTranscoder.CanTranscode(DicomUids.ExplicitVRLittleEndian, DicomUids.JPEGExtended12Bit));
        Assert.Contains("libjpeg-turbo", PixelFrameCodecs.Find(DicomUids.JPEGExtended12Bit)!.EncodeRefusal(null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jpeg2000_thumbnail_decodes_only_the_resolution_it_needs_and_looks_like_the_full_decode_reduced()
    {
        var original = CodecImages.Monochrome(64, 96, 12, signed: false);
        var compressed = await CompressAsync(original, ["gdcmconv", "--j2k"]);
        var geometry = FrameGeometry.From(compressed.Dataset);
        var frame = DicomTranscoder.FrameOf((DicomFragmentSequence)compressed.Dataset[DicomTag.PixelData]!, 0, 1);

        // 96×64 asked for at least 24×16: two levels dropped (each halves both sides), never smaller than asked.
        var (samples, reduced) = PixelFrameCodecs.Find(DicomUids.JPEG2000Lossless)!.DecodeAtLeast(frame, geometry, 24, 16);
        Assert.Equal((24, 16), (reduced.Columns, reduced.Rows));
        Assert.Equal((48, 32), PixelFrameCodecs.Find(DicomUids.JPEG2000Lossless)!.DecodeAtLeast(frame, geometry, 25, 16).Geometry is var g ? (g.Columns, g.Rows) : default);
        // Reduced sample (x, y) is the wavelet low-pass centred on original sample (4x, 4y): close to the mean around it.
        var full = NativeSamples.Of(original.Dataset);
        double error = 0;
        for (int y = 0; y < 16; y++)
        for (int x = 0; x < 24; x++)
        {
            double mean = 0;
            int n = 0;
            for (int sy = Math.Max(0, 4 * y - 1); sy <= Math.Min(63, 4 * y + 1); sy++)
            for (int sx = Math.Max(0, 4 * x - 1); sx <= Math.Min(95, 4 * x + 1); sx++, n++) mean += full[sy * 96 + sx];
            error += Math.Abs(mean / n - (samples[2 * (y * 24 + x)] | samples[2 * (y * 24 + x) + 1] << 8)) / (24 * 16);
        }
        Assert.True(error < 16, $"mean difference {error:F1} (of 4096) between the reduced decode and the original around each sample");

        // Rendered at 24×16 from the reduced decode: the same size and nearly the same image as from the full decode.
        var options = new Imaging.RenderOptions { MaxWidth = 24, MaxHeight = 24, Window = new Imaging.VoiWindow(1000, 4000) };
        var fast = Imaging.FrameRenderer.RenderStored(compressed.Dataset, frame, geometry, compressed.TransferSyntax, options);
        var (fullSamples, fullGeometry) = Imaging.FrameDecoder.Decode(frame, geometry, compressed.TransferSyntax);
        var slow = Imaging.FrameRenderer.Render(compressed.Dataset, fullSamples, fullGeometry, options);
        Assert.Equal((slow.Width, slow.Height), (fast.Width, fast.Height));
        // The low-pass sample sits on the block's first pixel, the box mean on its centre (a 3/8 output-pixel shift):
        // on this steep ramp (≈5 display levels per source pixel along x + y) that alone is ≈4 levels.
        double difference = fast.Pixels.Zip(slow.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(difference < 8, $"reduced-resolution thumbnail differs from the full-decode one by {difference:F1} levels on average");
    }

    [Fact]
    public async Task Deflated_explicit_little_endian_from_a_compressed_file_is_read_by_dcmtk_with_the_same_pixels()
    {
        var original = CodecImages.Monochrome(48, 40, 12, signed: false);
        var jpegLs = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, DicomTransferSyntax.JPEGLSLossless);
        var deflated = DicomTranscoder.Transcode(jpegLs, DicomTransferSyntax.JPEGLSLossless, DicomTransferSyntax.DeflatedExplicitVRLittleEndian);
        var path = Path.Combine(_dir, Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(path, new DicomFile(deflated, DicomTransferSyntax.DeflatedExplicitVRLittleEndian),
            cancellationToken: TestContext.Current.CancellationToken);
        var output = path + ".le.dcm";
        var run = await DcmtkTools.RunAsync("dcmconv", "+te", path, output);
        Assert.True(run.ExitCode == 0, run.StandardError + run.StandardOutput);
        var read = await DicomFileReader.ReadAsync(output, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, read.TransferSyntax.Uid);
        Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(read.Dataset));
    }

    [Theory]
    [InlineData(DicomUids.JPEGLSLossless, "dcmdjpls")]
    [InlineData(DicomUids.RLELossless, "dcmdrle")]
    public async Task An_icon_image_is_transcoded_with_the_image_so_dcmtk_reads_both_back(string syntax, string decoder)
    {
        // A thumbnail in an Icon Image Sequence is in the file's transfer syntax too (PS3.5 A.4); one left in its former
        // syntax made a file nothing can read (found on nibabel's slicethickness_empty_string.dcm, a J2K icon).
        var original = CodecImages.Monochrome(48, 40, 12, signed: false);
        var icon = CodecImages.Grey8(16, 16).Dataset;
        original.Dataset.SetSequence(DicomTag.IconImageSequence, IconItem(icon));
        var target = DicomTransferSyntax.Lookup(syntax);
        var compressed = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, target);
        var compressedIcon = compressed.GetSequenceItems(DicomTag.IconImageSequence).Single();
        Assert.IsType<DicomFragmentSequence>(compressedIcon[DicomTag.PixelData]);
        Assert.Null(compressedIcon[DicomTag.LossyImageCompression]);

        var decoded = await ReferenceDecodeAsync(new DicomFile(compressed, target), [decoder]);
        Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(decoded.Dataset));
        Assert.Equal(NativeSamples.Of(icon), NativeSamples.Of(decoded.Dataset.GetSequenceItems(DicomTag.IconImageSequence).Single()));

        // And back by us: native again, as dcmtk's dcmdump reads it.
        var native = DicomTranscoder.Transcode(compressed, target, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(NativeSamples.Of(icon), NativeSamples.Of(native.GetSequenceItems(DicomTag.IconImageSequence).Single()));
        var path = Path.Combine(_dir, Guid.NewGuid() + ".dcm");
        await DicomFileWriter.WriteAsync(path, new DicomFile(native, DicomTransferSyntax.ExplicitVRLittleEndian), cancellationToken: TestContext.Current.CancellationToken);
        var dump = await DcmtkTools.RunAsync("dcmdump", "-q", path);
        Assert.True(dump.ExitCode == 0, dump.StandardError);
    }

    [Fact]
    public void An_icon_that_cannot_be_transcoded_is_left_out_and_the_image_still_is()
    {
        var original = CodecImages.Monochrome(48, 40, 12, signed: false);
        var rle = DicomTranscoder.Transcode(original.Dataset, original.TransferSyntax, DicomTransferSyntax.RLELossless);
        var broken = IconItem(CodecImages.Grey8(16, 16).Dataset);
        broken.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, default, [new byte[] { 1, 2, 3, 4 }]));
        rle.SetSequence(DicomTag.IconImageSequence, broken);

        var native = DicomTranscoder.Transcode(rle, DicomTransferSyntax.RLELossless, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Null(native[DicomTag.IconImageSequence]);
        Assert.Equal(NativeSamples.Of(original.Dataset), NativeSamples.Of(native));
        Assert.NotNull(rle[DicomTag.IconImageSequence]); // the input is not modified
    }

    // The Image Pixel module of a data set as an icon item (PS3.3 F.7).
    private static DicomDataset IconItem(DicomDataset image)
    {
        var item = new DicomDataset();
        foreach (var element in image.Elements.Where(e => e.Tag.Group == 0x0028 || e.Tag == DicomTag.PixelData)) item.Set(element);
        return item;
    }

    [Fact]
    public void The_archive_never_chooses_a_lossy_syntax_the_data_is_not_already_in()
    {
        string[] lossyFirst = [DicomUids.JPEG2000, DicomUids.JPEGBaseline8Bit, DicomUids.JPEGLSNearLossless, DicomUids.JPEGLosslessSV1, DicomUids.ExplicitVRLittleEndian];
        Assert.Equal(DicomUids.JPEGLosslessSV1, DicomTranscoder.Choose(DicomUids.JPEG2000Lossless, lossyFirst));
        Assert.Equal(DicomUids.JPEG2000, DicomTranscoder.Choose(DicomUids.JPEG2000, lossyFirst));
        Assert.Null(DicomTranscoder.Choose(DicomUids.RLELossless, [DicomUids.JPEG2000, DicomUids.JPEGBaseline8Bit, DicomUids.JPEGLSNearLossless]));
        Assert.DoesNotContain(DicomUids.JPEGBaseline8Bit, PixelFrameCodecs.LosslessEncodable);
        // Asked for by name (WADO), the lossy syntax is producible.
        Assert.True(DicomTranscoder.CanTranscode(DicomUids.RLELossless, DicomUids.JPEG2000));
        Assert.DoesNotContain(DicomUids.JPEG2000, PixelFrameCodecs.LosslessEncodable);
        Assert.Contains(DicomUids.JPEG2000Lossless, PixelFrameCodecs.LosslessEncodable);
    }

    /// <summary>Unsigned 12-bit two frames, signed 16-bit, full-range unsigned 16-bit, 8-bit RGB.</summary>
    private static DicomFile[] EncoderInputs() =>
    [
        CodecImages.Monochrome(48, 40, 12, signed: false, frames: 2),
        CodecImages.Monochrome(40, 56, 16, signed: true),
        CodecImages.Monochrome(33, 57, 16, signed: false),
        CodecImages.Rgb(32, 24),
    ];

    [Fact]
    public async Task Jpeg_lossless_with_a_predictor_other_than_1_is_refused_with_the_reason()
    {
        // JpegLibrary decodes selection value 1 exactly but not the 2-D predictors: refuse rather than send wrong pixels.
        var compressed = await CompressAsync(Source("12bit"), ["dcmcjpeg", "+el", "+sv", "6"]);
        Assert.Equal(DicomUids.JPEGLossless, compressed.TransferSyntax.Uid);
        var error = Assert.Throws<NotSupportedException>(() =>
            DicomTranscoder.Transcode(compressed.Dataset, compressed.TransferSyntax, DicomTransferSyntax.ExplicitVRLittleEndian));
        Assert.Contains("predictor 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_frame_fails_with_a_specific_error_and_leaves_the_input_intact()
    {
        var ds = CodecImages.Monochrome(16, 16, 12, signed: false).Dataset;
        var rle = DicomTranscoder.Transcode(ds, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.RLELossless);
        var fragments = (DicomFragmentSequence)rle[DicomTag.PixelData]!;
        var truncated = fragments.Fragments[0][..80];
        var broken = rle.Clone();
        broken.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, default, [truncated]));
        var error = Assert.Throws<DicomFormatException>(() =>
            DicomTranscoder.Transcode(broken, DicomTransferSyntax.RLELossless, DicomTransferSyntax.ExplicitVRLittleEndian));
        Assert.Contains("RLE", error.Message, StringComparison.Ordinal);
        Assert.Same(fragments, rle[DicomTag.PixelData]);
    }

    private static DicomFile Source(string name) => name switch
    {
        _ when name.EndsWith("rgb", StringComparison.Ordinal) => CodecImages.Rgb(40, 56),
        _ when name.Contains("signed-16", StringComparison.Ordinal) => CodecImages.Monochrome(40, 56, 16, signed: true),
        _ when name.Contains("16bit", StringComparison.Ordinal) => CodecImages.Monochrome(40, 56, 16, signed: false),
        _ => CodecImages.Monochrome(40, 56, 12, signed: false),
    };

    private async Task<DicomFile> CompressAsync(DicomFile original, string[] compressor)
    {
        var input = Path.Combine(_dir, Guid.NewGuid() + ".dcm");
        var output = input + ".c.dcm";
        await DicomFileWriter.WriteAsync(input, original, cancellationToken: TestContext.Current.CancellationToken);
        var args = compressor[0] == "gdcmconv" ? [.. compressor[1..], input, output] : compressor[1..].Concat([input, output]).ToArray();
        var run = await DcmtkTools.RunAsync(compressor[0], args);
        Assert.True(run.ExitCode == 0, $"{string.Join(' ', compressor)}: {run.StandardError}{run.StandardOutput}");
        return await DicomFileReader.ReadAsync(output, cancellationToken: TestContext.Current.CancellationToken);
    }

    private async Task<DicomFile> ReferenceDecodeAsync(DicomFile compressed, string[] decoder)
    {
        var input = Path.Combine(_dir, Guid.NewGuid() + ".dcm");
        var output = input + ".d.dcm";
        await DicomFileWriter.WriteAsync(input, compressed, cancellationToken: TestContext.Current.CancellationToken);
        var run = await DcmtkTools.RunAsync(decoder[0], [.. decoder[1..], input, output]);
        Assert.True(run.ExitCode == 0, $"{string.Join(' ', decoder)}: {run.StandardError}{run.StandardOutput}");
        var file = await DicomFileReader.ReadAsync(output, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(file.TransferSyntax.IsEncapsulated, $"{decoder[0]} left {file.TransferSyntax.Uid}");
        return file;
    }
}
