using System.Buffers.Binary;
using Mirc.Dicom.PixelData;
using Mirc.Dicom.Tests.Dcmtk;
using Xunit;

namespace Mirc.Dicom.Tests.PixelData;

/// <summary>Frame byte ranges recorded by a header-only read, for native and encapsulated multi-frame instances.</summary>
public sealed class FrameRangeTests
{
    private const int Frames = 5, Rows = 64, Columns = 48;

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public async Task Native_frame_ranges_hold_each_frame(int bitsAllocated)
    {
        var ds = TestDatasets.MultiFrame(Frames, Rows, Columns, bitsAllocated);
        var bytes = DicomFileWriter.Write(new DicomFile(ds));
        // A non-seekable stream: the reader must count bytes itself.
        await using var stream = new NonSeekableStream(bytes);
        var file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);

        Assert.False(file.Dataset.Contains(DicomTag.PixelData));
        var px = Assert.IsType<PixelDataInfo>(file.PixelData);
        Assert.False(px.IsEncapsulated);
        Assert.Equal(Frames, px.NumberOfFrames);
        int frameBytes = Rows * Columns * bitsAllocated / 8;
        Assert.Equal(frameBytes * Frames, px.ValueLength);
        Assert.Equal(bytes.Length - frameBytes * Frames, px.ValueOffset);
        Assert.Equal(px.ValueOffset - 12, file.HeaderLength);
        var pixels = ds[DicomTag.PixelData]!.Buffer;
        for (int f = 0; f < Frames; f++)
        {
            var range = Assert.Single(px.GetFrameRange(f));
            Assert.Equal(frameBytes, range.Length);
            Assert.True(bytes.AsSpan((int)range.Offset, (int)range.Length).SequenceEqual(pixels.Span.Slice(f * frameBytes, frameBytes)), $"frame {f}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => px.GetFrameRange(Frames));
    }

    [Fact]
    public async Task Native_ybr_full_422_frames_hold_two_samples_per_pixel_and_decode_to_whole_pixels()
    {
        // Y1 Y2 Cb Cr per pair of pixels (PS3.3 C.7.6.3.1.2): a frame is Rows x Columns x 2 bytes, not x 3.
        var ds = TestDatasets.MultiFrame(2, 2, 4);
        ds.Set(DicomTag.SamplesPerPixel, 3).Set(DicomTag.PhotometricInterpretation, "YBR_FULL_422").Set(DicomTag.PlanarConfiguration, 0);
        byte[] stored = [10, 11, 100, 200, 12, 13, 101, 201, 14, 15, 102, 202, 16, 17, 103, 203, // frame 1
                         20, 21, 110, 210, 22, 23, 111, 211, 24, 25, 112, 212, 26, 27, 113, 213]; // frame 2
        ds.Set(DicomTag.PixelData, DicomVR.OB, stored);
        var bytes = DicomFileWriter.Write(new DicomFile(ds));
        var header = await DicomFileReader.ReadAsync(new MemoryStream(bytes), DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);
        var second = Assert.Single(header.PixelData!.GetFrameRange(1));
        Assert.Equal(16, second.Length);
        Assert.True(bytes.AsSpan((int)second.Offset, 16).SequenceEqual(stored.AsSpan(16)));

        var (samples, geometry) = Imaging.FrameDecoder.Decode(DicomFileReader.Read(bytes).Dataset, DicomTransferSyntax.ExplicitVRLittleEndian, 1);
        Assert.Equal("YBR_FULL", geometry.Photometric);
        Assert.Equal(new byte[] { 20, 110, 210, 21, 110, 210, 22, 111, 211, 23, 111, 211, 24, 112, 212, 25, 112, 212, 26, 113, 213, 27, 113, 213 }, samples);
        var jpegLs = DicomTranscoder.Transcode(DicomFileReader.Read(bytes).Dataset, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.JPEGLSLossless);
        Assert.Equal("YBR_FULL", jpegLs.GetString(DicomTag.PhotometricInterpretation));
        Assert.Equal(samples, Imaging.FrameDecoder.Decode(jpegLs, DicomTransferSyntax.JPEGLSLossless, 1).Samples);
    }

    public static TheoryData<string, string[]> Encoders => new()
    {
        { "dcmcrle", ["+ot"] },
        { "dcmcrle", ["-ot"] },
        { "dcmcjpeg", ["+ot"] },
        { "dcmcjpeg", ["-ot"] },
        { "dcmcjpeg", ["+ot", "+fs", "1"] },
        { "dcmcjpls", ["+ot", "+fs", "1"] },
        { "dcmcjpls", ["-ot"] },
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public async Task Encapsulated_frame_ranges_locate_each_compressed_frame(string tool, string[] options)
    {
        using var tmp = new TempDirectory();
        var native = tmp.File("native.dcm");
        var ds = TestDatasets.MultiFrame(Frames, Rows * 2, Columns * 2);
        await DicomFileWriter.WriteAsync(native, new DicomFile(ds), cancellationToken: TestContext.Current.CancellationToken);
        var compressed = tmp.File("compressed.dcm");
        await DcmtkTools.RunCleanAsync(tool, [.. options, native, compressed]);

        var bytes = await File.ReadAllBytesAsync(compressed, TestContext.Current.CancellationToken);
        var full = DicomFileReader.Read(bytes);
        Assert.True(full.TransferSyntax.IsEncapsulated);
        await DcmtkXmlComparer.AssertSameAsDcmtkAsync(compressed, full.Dataset);

        // Encapsulated data is kept byte-exact: read → write → read gives the same fragments, and dcmtk accepts it.
        var rewritten = tmp.File("rewritten.dcm");
        await DicomFileWriter.WriteAsync(rewritten, new DicomFile(full.Dataset, full.TransferSyntax), cancellationToken: TestContext.Current.CancellationToken);
        await DcmtkTools.RunCleanAsync("dcmdump", "+L", rewritten);
        DatasetAssert.Equal(full.Dataset, (await DicomFileReader.ReadAsync(rewritten, cancellationToken: TestContext.Current.CancellationToken)).Dataset);

        await using var stream = new NonSeekableStream(bytes);
        var header = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken);
        var px = Assert.IsType<PixelDataInfo>(header.PixelData);
        Assert.True(px.IsEncapsulated);
        var fragments = Assert.IsType<DicomFragmentSequence>(full.Dataset[DicomTag.PixelData]);
        Assert.Equal(fragments.Fragments.Count, px.Fragments.Count);
        Assert.Equal(options.Contains("-ot") ? 0 : Frames, px.BasicOffsetTable.Count);
        for (int f = 0; f < Frames; f++)
        {
            var ranges = px.GetFrameRange(f);
            var frame = ranges.SelectMany(r => bytes.AsSpan((int)r.Offset, (int)r.Length).ToArray()).ToArray();
            if (tool == "dcmcrle")
            {
                Assert.Equal(ds[DicomTag.PixelData]!.Buffer.Slice(f * Rows * Columns * 4, Rows * Columns * 4).ToArray(), RleDecoder.DecodeFrame(frame, Rows * Columns * 4));
            }
            else
            {
                Assert.True(frame[0] == 0xFF && frame[1] == 0xD8, $"frame {f} does not start with a JPEG SOI marker");
                int end = frame.Length - 1;
                while (end > 0 && frame[end] == 0) end--;
                Assert.True(frame[end - 1] == 0xFF && frame[end] == 0xD9, $"frame {f} does not end with a JPEG EOI marker");
            }
        }
    }

    [Fact]
    public void Several_fragments_per_frame_without_offset_table_cannot_be_located()
    {
        var px = EncapsulatedInfo(fragmentsPerFrame: 2, withBot: false, withEot: false, out _);
        Assert.Throws<InvalidOperationException>(() => px.GetFrameRange(0));
        Assert.False(px.TryGetFrameRange(1, out _));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Offset_tables_map_fragments_to_frames(bool withBot, bool withEot)
    {
        var px = EncapsulatedInfo(fragmentsPerFrame: 2, withBot, withEot, out var bytes);
        for (int f = 0; f < 3; f++)
        {
            var ranges = px.GetFrameRange(f);
            Assert.Equal(2, ranges.Count);
            foreach (var r in ranges) Assert.Equal((byte)(0xA0 + f), bytes[(int)r.Offset]);
        }
    }

    // Three frames of two fragments each; every fragment's bytes are 0xA0 + frame.
    private static PixelDataInfo EncapsulatedInfo(int fragmentsPerFrame, bool withBot, bool withEot, out byte[] bytes)
    {
        var ds = TestDatasets.MultiFrame(3, 4, 4);
        ds.Remove(DicomTag.PixelData);
        var fragments = new List<ReadOnlyMemory<byte>>();
        var offsets = new List<ulong>();
        ulong offset = 0;
        for (int f = 0; f < 3; f++)
        {
            offsets.Add(offset);
            for (int k = 0; k < fragmentsPerFrame; k++)
            {
                var frag = Enumerable.Repeat((byte)(0xA0 + f), 10 + 2 * k).ToArray();
                fragments.Add(frag);
                offset += (ulong)(8 + frag.Length);
            }
        }
        var bot = withBot ? offsets.SelectMany(o => BitConverter.GetBytes((uint)o)).ToArray() : [];
        if (withEot)
        {
            ds.Set(DicomTag.ExtendedOffsetTable, DicomVR.OV, offsets.SelectMany(BitConverter.GetBytes).ToArray());
            ds.Set(DicomTag.ExtendedOffsetTableLengths, DicomVR.OV, new byte[24]);
        }
        ds.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, bot, fragments));
        bytes = DicomFileWriter.Write(new DicomFile(ds, DicomTransferSyntax.JPEGBaseline8Bit));
        var file = DicomFileReader.Read(bytes, DicomReadOptions.HeaderOnly);
        return file.PixelData!;
    }

    /// <summary>PackBits RLE (PS3.5 Annex G) for one 8-bit segment.</summary>
    private static class RleDecoder
    {
        public static byte[] DecodeFrame(byte[] frame, int expectedLength)
        {
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(frame));
            int pos = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(4));
            Assert.Equal(64, pos);
            var output = new List<byte>(expectedLength);
            while (output.Count < expectedLength && pos < frame.Length)
            {
                sbyte n = (sbyte)frame[pos++];
                if (n >= 0)
                {
                    output.AddRange(frame.AsSpan(pos, n + 1).ToArray());
                    pos += n + 1;
                }
                else if (n != -128)
                {
                    output.AddRange(Enumerable.Repeat(frame[pos++], 1 - n));
                }
            }
            return [.. output];
        }
    }
}
