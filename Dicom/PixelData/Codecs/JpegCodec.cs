using System.Buffers.Binary;
using JpegLibrary;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// JPEG decoding with the managed JpegLibrary: baseline (process 1), extended 12-bit (process 2/4) and lossless
/// (process 14, any predictor). Lossy YCbCr frames (YBR_FULL / YBR_FULL_422) come out as RGB; lossless samples are
/// kept as coded.
/// </summary>
public sealed class JpegCodec(string transferSyntaxUid) : PixelFrameCodec
{
    /// <inheritdoc/>
    public override string TransferSyntaxUid { get; } = transferSyntaxUid;

    private bool IsLossless => TransferSyntaxUid is DicomUids.JPEGLossless or DicomUids.JPEGLosslessSV1;

    /// <summary>
    /// Lossless frames are encoded (selection value 1, valid for both lossless syntaxes), and 8-bit frames as baseline
    /// (lossy, only when a client names it); the extended 12-bit syntax is decode-only (see <see cref="JpegBaselineEncoder"/>).
    /// </summary>
    public override bool CanEncode => IsLossless || TransferSyntaxUid == DicomUids.JPEGBaseline8Bit;

    /// <inheritdoc/>
    public override string? EncodeRefusal(FrameGeometry? geometry) => TransferSyntaxUid switch
    {
        DicomUids.JPEGBaseline8Bit => geometry is null ? null : JpegBaselineEncoder.Refusal(geometry),
        DicomUids.JPEGExtended12Bit => JpegBaselineEncoder.ExtendedUnavailable,
        _ => base.EncodeRefusal(geometry),
    };

    /// <inheritdoc/>
    public override bool HasGeometryLimits => TransferSyntaxUid == DicomUids.JPEGBaseline8Bit || base.HasGeometryLimits;

    /// <inheritdoc/>
    protected override byte[] EncodeFrame(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
    {
        RequireSize(nativeFrame.Length, geometry.FrameLength, "JPEG encode input");
        return IsLossless ? JpegLosslessEncoder.Encode(nativeFrame, geometry) : JpegBaselineEncoder.Encode(nativeFrame, geometry);
    }

    /// <inheritdoc/>
    public override string EncodedPhotometric(FrameGeometry geometry) =>
        !IsLossless && geometry.SamplesPerPixel == 3 ? "YBR_FULL_422" : geometry.Photometric;

    /// <inheritdoc/>
    protected override DecodedFrameFormat DecodeFrame(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination)
    {
        var decoder = new JpegDecoder();
        decoder.SetInput(frame.ToArray());
        try
        {
            decoder.Identify();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            // JpegLibrary reports a missing frame header as InvalidOperationException.
            throw new DicomFormatException("JPEG header unreadable: " + ex.Message, ex);
        }
        if (decoder.Width != geometry.Columns || decoder.Height != geometry.Rows || decoder.NumberOfComponents != geometry.SamplesPerPixel)
            throw new DicomFormatException($"JPEG frame is {decoder.Width}x{decoder.Height}x{decoder.NumberOfComponents}, " +
                $"the pixel module declares {geometry.Columns}x{geometry.Rows}x{geometry.SamplesPerPixel}");
        if (IsLossless && Predictor(frame) is var predictor and not 1)
            throw new NotSupportedException($"JPEG lossless predictor {predictor} is not supported (selection value 1 is)");
        var planes = new SamplePlanes(geometry.Columns, geometry.Rows, geometry.SamplesPerPixel, IsLossless ? null : decoder.Precision);
        decoder.SetOutputWriter(planes);
        try
        {
            decoder.Decode();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IndexOutOfRangeException or ArgumentException or NotSupportedException)
        {
            throw new DicomFormatException("JPEG frame undecodable: " + ex.Message, ex);
        }

        bool toRgb = !IsLossless && geometry.SamplesPerPixel == 3 && geometry.Photometric.StartsWith("YBR_FULL", StringComparison.Ordinal);
        if (toRgb) planes.YCbCrToRgb(decoder.Precision);
        planes.CopyInterleaved(destination, geometry.BytesPerSample, geometry.IsSigned ? geometry.BitsStored : 0);
        return new DecodedFrameFormat(toRgb ? "RGB" : geometry.Photometric, false);
    }

    /// <summary>The selection value (Ss of the first start-of-scan) of a lossless frame; 0 when not found.</summary>
    private static int Predictor(ReadOnlySpan<byte> frame)
    {
        for (int i = 2; i + 5 < frame.Length; i++)
        {
            if (frame[i] != 0xFF) continue;
            byte marker = frame[i + 1];
            if (marker == 0xDA)
            {
                int components = frame[i + 4];
                int ss = i + 5 + 2 * components;
                return ss < frame.Length ? frame[ss] : 0;
            }
            // Skip marker segments with a length (everything between SOI and SOS has one).
            if (marker is >= 0xC0 and <= 0xFE && marker is not (>= 0xD0 and <= 0xD9)) i += 1 + (frame[i + 2] << 8 | frame[i + 3]);
        }
        return 0;
    }

    /// <summary>Receives JpegLibrary's 8×8 blocks into one full-size plane per component.</summary>
    private sealed class SamplePlanes : JpegBlockOutputWriter
    {
        private readonly int _width, _height;
        private readonly int[][] _planes;
        private readonly int _lossyMax;

        /// <param name="width">Columns.</param>
        /// <param name="height">Rows.</param>
        /// <param name="components">Samples per pixel.</param>
        /// <param name="lossyPrecision">
        /// The sample precision of a DCT (lossy) frame, whose inverse transform can land just outside 0 .. 2^P − 1 (a black
        /// or white area decodes to −1 or 256): such values are clamped, as the standard's decoders do; null for a lossless
        /// frame, whose samples are exact and up to 16 bits.
        /// </param>
        public SamplePlanes(int width, int height, int components, int? lossyPrecision)
        {
            _width = width;
            _height = height;
            _lossyMax = lossyPrecision is { } p ? (1 << p) - 1 : -1;
            _planes = new int[components][];
            for (int c = 0; c < components; c++) _planes[c] = new int[width * height];
        }

        public override void WriteBlock(ref short blockRef, int componentIndex, int x, int y)
        {
            var plane = _planes[componentIndex];
            int rows = Math.Min(8, _height - y), columns = Math.Min(8, _width - x);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    short sample = System.Runtime.CompilerServices.Unsafe.Add(ref blockRef, r * 8 + c);
                    // Lossless samples up to 16 bits travel in a short: read them back as unsigned. A lossy one is
                    // clamped to its range: read as unsigned, −1 would become 65535, then 255 — a white dot in black.
                    plane[(y + r) * _width + x + c] = _lossyMax < 0 ? (ushort)sample : Math.Clamp((int)sample, 0, _lossyMax);
                }
            }
        }

        public void YCbCrToRgb(int precision)
        {
            int max = (1 << precision) - 1, half = 1 << (precision - 1);
            var (y, cb, cr) = (_planes[0], _planes[1], _planes[2]);
            for (int i = 0; i < y.Length; i++)
            {
                double l = y[i], b = cb[i] - half, r = cr[i] - half;
                y[i] = Math.Clamp((int)Math.Round(YbrFullColor.Red(l, r)), 0, max);
                cb[i] = Math.Clamp((int)Math.Round(YbrFullColor.Green(l, b, r)), 0, max);
                cr[i] = Math.Clamp((int)Math.Round(YbrFullColor.Blue(l, b)), 0, max);
            }
        }

        /// <summary>Writes pixel-interleaved samples; signed data of <paramref name="signedBits"/> bits is sign-extended.</summary>
        public void CopyInterleaved(Span<byte> destination, int bytesPerSample, int signedBits)
        {
            int components = _planes.Length, pixels = _width * _height;
            int shift = signedBits > 0 ? 32 - signedBits : 0;
            for (int p = 0; p < pixels; p++)
            {
                for (int c = 0; c < components; c++)
                {
                    int v = _planes[c][p];
                    if (shift > 0) v = (v << shift) >> shift;
                    int at = (p * components + c) * bytesPerSample;
                    if (bytesPerSample == 1) destination[at] = (byte)v;
                    else BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)v);
                }
            }
        }
    }
}
