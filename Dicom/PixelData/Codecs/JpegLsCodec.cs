namespace Mirc.Dicom.PixelData;

/// <summary>JPEG-LS lossless and near-lossless through CharLS, both ways.</summary>
public sealed class JpegLsCodec(string transferSyntaxUid) : PixelFrameCodec
{
    /// <summary>
    /// Largest error per sample of the near-lossless syntax (NEAR), dcmcjpls' default; produced only when a client asks
    /// for the near-lossless syntax by name.
    /// </summary>
    public const int NearLosslessError = 2;

    /// <inheritdoc/>
    public override string TransferSyntaxUid { get; } = transferSyntaxUid;

    /// <inheritdoc/>
    public override bool CanEncode => true;

    /// <inheritdoc/>
    protected override unsafe DecodedFrameFormat DecodeFrame(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination)
    {
        nint decoder = CharLS.DecoderCreate();
        if (decoder == 0) throw new OutOfMemoryException("CharLS decoder");
        try
        {
            fixed (byte* source = frame)
            fixed (byte* target = destination)
            {
                CharLS.Check(CharLS.DecoderSetSourceBuffer(decoder, source, (nuint)frame.Length), "source");
                CharLS.Check(CharLS.DecoderReadHeader(decoder), "header");
                CharLS.Check(CharLS.DecoderGetFrameInfo(decoder, out var info), "frame info");
                if (info.Width != geometry.Columns || info.Height != geometry.Rows || info.ComponentCount != geometry.SamplesPerPixel)
                    throw new DicomFormatException($"JPEG-LS frame is {info.Width}x{info.Height}x{info.ComponentCount}, " +
                        $"the pixel module declares {geometry.Columns}x{geometry.Rows}x{geometry.SamplesPerPixel}");
                CharLS.Check(CharLS.DecoderGetInterleaveMode(decoder, out var mode), "interleave mode");
                CharLS.Check(CharLS.DecoderGetDestinationSize(decoder, 0, out var size), "destination size");
                RequireSize((long)size, geometry.FrameLength, "JPEG-LS");
                CharLS.Check(CharLS.DecoderDecodeToBuffer(decoder, target, (nuint)destination.Length, 0), "decode");
                // Non-interleaved multi-component scans come out colour-by-plane.
                return new DecodedFrameFormat(geometry.Photometric, geometry.SamplesPerPixel > 1 && mode == CharLS.InterleaveMode.None);
            }
        }
        finally
        {
            CharLS.DecoderDestroy(decoder);
        }
    }

    /// <inheritdoc/>
    protected override unsafe byte[] EncodeFrame(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
    {
        RequireSize(nativeFrame.Length, geometry.FrameLength, "JPEG-LS encode input");
        nint encoder = CharLS.EncoderCreate();
        if (encoder == 0) throw new OutOfMemoryException("CharLS encoder");
        try
        {
            var info = new CharLS.FrameInfo
            {
                Width = (uint)geometry.Columns, Height = (uint)geometry.Rows, BitsPerSample = geometry.BitsStored, ComponentCount = geometry.SamplesPerPixel,
            };
            CharLS.Check(CharLS.EncoderSetFrameInfo(encoder, info), "frame info");
            CharLS.Check(CharLS.EncoderSetNearLossless(encoder, TransferSyntaxUid == DicomUids.JPEGLSNearLossless ? NearLosslessError : 0), "near lossless");
            if (geometry.SamplesPerPixel > 1)
                CharLS.Check(CharLS.EncoderSetInterleaveMode(encoder, geometry.IsPlanar ? CharLS.InterleaveMode.None : CharLS.InterleaveMode.Sample), "interleave");
            CharLS.Check(CharLS.EncoderGetEstimatedDestinationSize(encoder, out var estimate), "size estimate");
            var output = new byte[(int)estimate];
            var masked = MaskToBitsStored(nativeFrame, geometry);
            fixed (byte* target = output)
            fixed (byte* source = masked)
            {
                CharLS.Check(CharLS.EncoderSetDestinationBuffer(encoder, target, (nuint)output.Length), "destination");
                CharLS.Check(CharLS.EncoderEncodeFromBuffer(encoder, source, (nuint)masked.Length, 0), "encode");
            }
            CharLS.Check(CharLS.EncoderGetBytesWritten(encoder, out var written), "bytes written");
            int length = (int)written;
            var result = new byte[length + (length & 1)];
            output.AsSpan(0, length).CopyTo(result);
            return result;
        }
        finally
        {
            CharLS.EncoderDestroy(encoder);
        }
    }

    /// <summary>JPEG-LS codes BitsStored-bit samples: bits above (sign extension of signed data) must be cleared.</summary>
    private static byte[] MaskToBitsStored(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
    {
        var copy = nativeFrame.ToArray();
        if (geometry.BytesPerSample == 2 && geometry.BitsStored < 16)
        {
            ushort mask = (ushort)((1 << geometry.BitsStored) - 1);
            for (int i = 0; i + 1 < copy.Length; i += 2)
            {
                ushort v = (ushort)(copy[i] | copy[i + 1] << 8);
                v &= mask;
                copy[i] = (byte)v;
                copy[i + 1] = (byte)(v >> 8);
            }
        }
        return copy;
    }
}
