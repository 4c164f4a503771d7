using System.Buffers;
using JpegLibrary;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// Lossy JPEG baseline (process 1, 8-bit, Huffman) with JpegLibrary's encoder: grey frames as one component, RGB
/// frames converted to YCbCr (full range, no subsampling: Photometric Interpretation YBR_FULL), standard tables
/// scaled to <see cref="Quality"/>. JpegLibrary encodes baseline only, so 12-bit process 4 (the extended syntax) is
/// not produced, and neither are frames with more than 8 bits stored.
/// </summary>
internal static class JpegBaselineEncoder
{
    /// <summary>IJG quality of the tables: lossy output is produced only when a client names the syntax.</summary>
    public const int Quality = 90;

    /// <summary>Why the extended syntax (1.2.840.10008.1.2.4.51) is never produced.</summary>
    public const string ExtendedUnavailable =
        "JPEG Extended (process 2 & 4, 12-bit lossy) is decode-only here: JpegLibrary's encoder writes 8-bit baseline only, and Debian's " +
        "libjpeg-turbo 2.1 has no 12-bit API; ask for 1.2.840.10008.1.2.4.50 (8-bit data), a lossless syntax or transfer-syntax=*";

    /// <summary>Why a frame cannot be encoded as baseline JPEG, or null when it can.</summary>
    public static string? Refusal(FrameGeometry geometry) =>
        geometry.BitsAllocated != 8 || geometry.BitsStored != 8 || geometry.IsSigned
            ? $"baseline JPEG holds unsigned 8-bit samples; the frame has {geometry.BitsStored} bits stored{(geometry.IsSigned ? ", signed" : "")} " +
              "(12-bit lossy JPEG is not produced: " + ExtendedUnavailable[..ExtendedUnavailable.IndexOf(';', StringComparison.Ordinal)] + ")"
        : geometry.Photometric is not ("MONOCHROME1" or "MONOCHROME2" or "RGB" or "YBR_FULL")
            ? $"photometric interpretation {geometry.Photometric} is not encoded as lossy JPEG (palette indices or subsampled input)"
        : null;

    public static byte[] Encode(ReadOnlySpan<byte> frame, FrameGeometry geometry)
    {
        if (Refusal(geometry) is { } refusal) throw new NotSupportedException(refusal);
        int width = geometry.Columns, height = geometry.Rows, components = geometry.SamplesPerPixel, pixels = width * height;
        var planes = new byte[components][];
        for (int c = 0; c < components; c++) planes[c] = new byte[pixels];
        for (int p = 0; p < pixels; p++)
        {
            for (int c = 0; c < components; c++) planes[c][p] = frame[geometry.IsPlanar ? c * pixels + p : p * components + c];
        }
        if (geometry.Photometric == "RGB") ToYCbCr(planes);

        var encoder = new JpegEncoder();
        encoder.SetQuantizationTable(JpegStandardQuantizationTable.ScaleByQuality(
            JpegStandardQuantizationTable.GetLuminanceTable(JpegElementPrecision.Precision8Bit, 0), Quality));
        encoder.SetHuffmanTable(true, 0, JpegStandardHuffmanEncodingTable.GetLuminanceDCTable());
        encoder.SetHuffmanTable(false, 0, JpegStandardHuffmanEncodingTable.GetLuminanceACTable());
        encoder.AddComponent(0, 0, 0, 0, 1, 1);
        if (components == 3)
        {
            encoder.SetQuantizationTable(JpegStandardQuantizationTable.ScaleByQuality(
                JpegStandardQuantizationTable.GetChrominanceTable(JpegElementPrecision.Precision8Bit, 1), Quality));
            encoder.SetHuffmanTable(true, 1, JpegStandardHuffmanEncodingTable.GetChrominanceDCTable());
            encoder.SetHuffmanTable(false, 1, JpegStandardHuffmanEncodingTable.GetChrominanceACTable());
            encoder.AddComponent(1, 1, 1, 1, 1, 1);
            encoder.AddComponent(2, 1, 1, 1, 1, 1);
        }
        encoder.SetInputReader(new PlaneReader(planes, width, height));
        var output = new ArrayBufferWriter<byte>(pixels * components / 4 + 1024);
        encoder.SetOutput(output);
        encoder.Encode();
        // Fragments have even lengths: a zero after EOI is the usual padding.
        var result = new byte[output.WrittenCount + (output.WrittenCount & 1)];
        output.WrittenSpan.CopyTo(result);
        return result;
    }

    /// <summary>JFIF's full-range RGB → YCbCr (what YBR_FULL declares), in place.</summary>
    private static void ToYCbCr(byte[][] planes)
    {
        var (r, g, b) = (planes[0], planes[1], planes[2]);
        for (int i = 0; i < r.Length; i++)
        {
            double R = r[i], G = g[i], B = b[i];
            r[i] = Clamp(0.299 * R + 0.587 * G + 0.114 * B);
            g[i] = Clamp(-0.168736 * R - 0.331264 * G + 0.5 * B + 128);
            b[i] = Clamp(0.5 * R - 0.418688 * G - 0.081312 * B + 128);
        }
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);

    /// <summary>Hands JpegLibrary 8×8 blocks of each plane, repeating the last row / column past the edges.</summary>
    private sealed class PlaneReader(byte[][] planes, int width, int height) : JpegBlockInputReader
    {
        public override int Width => width;

        public override int Height => height;

        public override void ReadBlock(ref short blockRef, int componentIndex, int x, int y)
        {
            var plane = planes[componentIndex];
            for (int r = 0; r < 8; r++)
            {
                int row = Math.Min(y + r, height - 1) * width;
                for (int c = 0; c < 8; c++)
                    System.Runtime.CompilerServices.Unsafe.Add(ref blockRef, r * 8 + c) = plane[row + Math.Min(x + c, width - 1)];
            }
        }
    }
}
