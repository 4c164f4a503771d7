namespace Mirc.Dicom.PixelData;

/// <summary>
/// Lossy JPEG baseline (process 1, 8-bit, Huffman) with Debian's libjpeg-turbo: grey frames as one component, colour
/// frames as YCbCr with the chroma halved horizontally (Photometric Interpretation YBR_FULL_422, as dcmtk's dcmcjpeg
/// writes them by default and as the Secondary Capture, VL and ultrasound IODs enumerate it), standard tables scaled to
/// <see cref="Quality"/>. The 12-bit process 4 (the extended syntax) is not produced, nor are frames with more than 8
/// bits stored.
/// </summary>
internal static class JpegBaselineEncoder
{
    /// <summary>IJG quality of the tables: lossy output is produced only when a client names the syntax.</summary>
    public const int Quality = 90;

    /// <summary>Why the extended syntax (1.2.840.10008.1.2.4.51) is never produced.</summary>
    public const string ExtendedUnavailable =
        "JPEG Extended (process 2 & 4, 12-bit lossy) is decode-only here: the encoder, Debian's libjpeg-turbo 2.1, has no 12-bit API; " +
        "ask for 1.2.840.10008.1.2.4.50 (8-bit data), a lossless syntax or transfer-syntax=*";

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
        int width = geometry.Columns, height = geometry.Rows, components = geometry.SamplesPerPixel;
        // libjpeg-turbo takes interleaved grey or RGB and does the colour conversion and subsampling itself: a frame
        // already so is handed over as it is, a planar or YBR_FULL one rearranged first.
        var ready = !geometry.IsPlanar && geometry.Photometric != "YBR_FULL";
        var encoded = Imaging.TurboJpegEncoder.CompressFrame(ready ? frame : Interleaved(frame, geometry), width, height, components, Quality);
        // Fragments have even lengths: a zero after EOI is the usual padding.
        return (encoded.Length & 1) == 0 ? encoded : [.. encoded, 0];
    }

    /// <summary>The frame as interleaved grey or RGB samples, in a new array.</summary>
    private static byte[] Interleaved(ReadOnlySpan<byte> frame, FrameGeometry geometry)
    {
        int components = geometry.SamplesPerPixel, pixels = geometry.Columns * geometry.Rows;
        var interleaved = new byte[pixels * components];
        for (int p = 0; p < pixels; p++)
        {
            for (int c = 0; c < components; c++) interleaved[p * components + c] = frame[geometry.IsPlanar ? c * pixels + p : p * components + c];
        }
        if (geometry.Photometric == "YBR_FULL") ToRgb(interleaved);
        return interleaved;
    }

    /// <summary>Full-range YCbCr (YBR_FULL) → RGB, in place, for the encoder's own conversion.</summary>
    private static void ToRgb(byte[] samples)
    {
        for (int i = 0; i < samples.Length; i += 3)
        {
            double y = samples[i], cb = samples[i + 1] - 128.0, cr = samples[i + 2] - 128.0;
            samples[i] = Clamp(YbrFullColor.Red(y, cr));
            samples[i + 1] = Clamp(YbrFullColor.Green(y, cb, cr));
            samples[i + 2] = Clamp(YbrFullColor.Blue(y, cb));
        }
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
