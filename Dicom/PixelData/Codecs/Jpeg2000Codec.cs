using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// JPEG 2000 (lossless and lossy) through OpenJPEG. OpenJPEG undoes the multiple-component transform, so
/// YBR_RCT / YBR_ICT frames come out as RGB; RGB frames are encoded with the transform (YBR_RCT / YBR_ICT).
/// </summary>
public sealed class Jpeg2000Codec(string transferSyntaxUid) : PixelFrameCodec
{
    /// <inheritdoc/>
    public override string TransferSyntaxUid { get; } = transferSyntaxUid;

    private bool IsLossless => TransferSyntaxUid == DicomUids.JPEG2000Lossless;

    /// <inheritdoc/>
    public override bool CanEncode => true;

    /// <inheritdoc/>
    protected override byte[] EncodeFrame(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
    {
        RequireSize(nativeFrame.Length, geometry.FrameLength, "JPEG 2000 encode input");
        return Jpeg2000Encoder.Encode(nativeFrame, geometry, IsLossless);
    }

    /// <inheritdoc/>
    public override string EncodedPhotometric(FrameGeometry geometry) =>
        geometry.SamplesPerPixel == 3 && geometry.Photometric == "RGB" ? (IsLossless ? "YBR_RCT" : "YBR_ICT") : geometry.Photometric;

    /// <summary>The compressed bytes and read position handed to OpenJPEG's callbacks.</summary>
    private sealed unsafe class MemorySource(byte* data, long length)
    {
        public byte* Data = data;
        public long Length = length;
        public long Position;
    }

    /// <inheritdoc/>
    protected override unsafe DecodedFrameFormat DecodeFrame(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination)
    {
        var image = DecodeImage(frame, 0);
        try
        {
            return CopyOut(image, geometry, destination);
        }
        finally
        {
            OpenJpeg.ImageDestroy(image);
        }
    }

    /// <summary>
    /// Decodes only the wavelet levels a smaller image needs (OpenJPEG's resolution factor): each level dropped halves
    /// both sides and skips most of the decoding work, so a 128-pixel thumbnail of a 512 slice decodes 1/16 of it.
    /// </summary>
    public override unsafe (byte[] Samples, FrameGeometry Geometry) DecodeAtLeast(ReadOnlySpan<byte> frame, FrameGeometry geometry, int minColumns, int minRows)
    {
        if (BitDepthRefusal(geometry) is { } why) throw new DicomFormatException(why);
        uint factor = 0;
        while (factor < 8 && Reduced(geometry.Columns, factor + 1) >= minColumns && Reduced(geometry.Rows, factor + 1) >= minRows) factor++;
        if (factor == 0) return base.DecodeAtLeast(frame, geometry, minColumns, minRows);
        var image = DecodeImage(frame, factor);
        try
        {
            // The codestream may have had fewer levels than asked for: the first component says what was decoded.
            uint applied = 0;
            while (applied < factor && image->NumComps > 0 && Reduced(geometry.Columns, applied) != image->Comps[0].W) applied++;
            var reduced = geometry with { Columns = Reduced(geometry.Columns, applied), Rows = Reduced(geometry.Rows, applied), NumberOfFrames = 1 };
            var native = new byte[reduced.FrameLength];
            var format = CopyOut(image, reduced, native);
            return (native, reduced with { Photometric = format.Photometric, IsPlanar = format.IsPlanar });
        }
        finally
        {
            OpenJpeg.ImageDestroy(image);
        }
    }

    /// <summary>A side of the image at resolution factor <paramref name="factor"/> (the image origin is 0 in DICOM).</summary>
    private static int Reduced(int size, uint factor) => (int)(((long)size + (1L << (int)factor) - 1) >> (int)factor);

    /// <summary>Decodes the codestream, dropping up to <paramref name="factor"/> resolution levels; the caller destroys the image.</summary>
    private static unsafe OpenJpeg.Image* DecodeImage(ReadOnlySpan<byte> frame, uint factor)
    {
        // JP2 file-format boxes are seen in the wild although DICOM stores a raw codestream.
        bool jp2 = frame.Length > 12 && frame[4] == (byte)'j' && frame[5] == (byte)'P';
        nint codec = OpenJpeg.CreateDecompress(jp2 ? OpenJpeg.CodecJP2 : OpenJpeg.CodecJ2K);
        nint stream = 0;
        OpenJpeg.Image* image = null;
        GCHandle handle = default;
        bool decoded = false;
        try
        {
            var parameters = stackalloc byte[OpenJpeg.DecoderParametersSize];
            new Span<byte>(parameters, OpenJpeg.DecoderParametersSize).Clear();
            OpenJpeg.SetDefaultDecoderParameters(parameters);
            if (OpenJpeg.SetupDecoder(codec, parameters) == 0) throw new DicomFormatException("JPEG 2000 decoder setup failed");
            fixed (byte* data = frame)
            {
                handle = GCHandle.Alloc(new MemorySource(data, frame.Length));
                stream = OpenJpeg.StreamCreate(64 * 1024, 1);
                OpenJpeg.StreamSetReadFunction(stream, &Read);
                OpenJpeg.StreamSetSkipFunction(stream, &Skip);
                OpenJpeg.StreamSetSeekFunction(stream, &Seek);
                OpenJpeg.StreamSetUserData(stream, GCHandle.ToIntPtr(handle), 0);
                OpenJpeg.StreamSetUserDataLength(stream, (ulong)frame.Length);
                if (OpenJpeg.ReadHeader(stream, codec, out image) == 0) throw new DicomFormatException("JPEG 2000 header unreadable");
                // The codestream may have fewer levels than asked for: OpenJPEG refuses a factor ≥ its level count.
                while (factor > 0 && OpenJpeg.SetDecodedResolutionFactor(codec, factor) == 0) factor--;
                if (OpenJpeg.Decode(codec, stream, image) == 0 || OpenJpeg.EndDecompress(codec, stream) == 0)
                    throw new DicomFormatException("JPEG 2000 codestream undecodable");
            }
            decoded = true;
            return image;
        }
        finally
        {
            if (!decoded && image is not null) OpenJpeg.ImageDestroy(image);
            if (stream != 0) OpenJpeg.StreamDestroy(stream);
            if (codec != 0) OpenJpeg.DestroyCodec(codec);
            if (handle.IsAllocated) handle.Free();
        }
    }

    private static unsafe DecodedFrameFormat CopyOut(OpenJpeg.Image* image, FrameGeometry geometry, Span<byte> destination)
    {
        int components = (int)image->NumComps;
        if (components != geometry.SamplesPerPixel) throw new DicomFormatException($"JPEG 2000 frame has {components} components, the pixel module declares {geometry.SamplesPerPixel}");
        int pixels = geometry.Rows * geometry.Columns, bytes = geometry.BytesPerSample;
        for (int c = 0; c < components; c++)
        {
            var comp = image->Comps[c];
            if (comp.W != geometry.Columns || comp.H != geometry.Rows || comp.Data is null)
                throw new DicomFormatException($"JPEG 2000 component {c} is {comp.W}x{comp.H}, the pixel module declares {geometry.Columns}x{geometry.Rows}");
            // Lossy wavelets overshoot: clamp to the component's range as OpenJPEG's own tools do.
            int precision = (int)Math.Clamp(comp.Prec, 1u, 16u);
            int min = comp.Sgnd != 0 ? -(1 << (precision - 1)) : 0, max = comp.Sgnd != 0 ? (1 << (precision - 1)) - 1 : (1 << precision) - 1;
            for (int p = 0; p < pixels; p++)
            {
                int v = Math.Clamp(comp.Data[p], min, max);
                int at = (p * components + c) * bytes;
                if (bytes == 1) destination[at] = (byte)v;
                else BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)v);
            }
        }
        bool mct = geometry.Photometric is "YBR_RCT" or "YBR_ICT";
        return new DecodedFrameFormat(mct ? "RGB" : geometry.Photometric, false);
    }

    [UnmanagedCallersOnly]
    private static unsafe nuint Read(byte* buffer, nuint size, nint user)
    {
        var source = (MemorySource)GCHandle.FromIntPtr(user).Target!;
        long count = Math.Min((long)size, source.Length - source.Position);
        if (count <= 0) return unchecked((nuint)(-1)); // OpenJPEG's end of stream
        Buffer.MemoryCopy(source.Data + source.Position, buffer, (long)size, count);
        source.Position += count;
        return (nuint)count;
    }

    [UnmanagedCallersOnly]
    private static long Skip(long count, nint user)
    {
        var source = (MemorySource)GCHandle.FromIntPtr(user).Target!;
        long target = Math.Clamp(source.Position + count, 0, source.Length);
        long skipped = target - source.Position;
        source.Position = target;
        return skipped;
    }

    [UnmanagedCallersOnly]
    private static int Seek(long position, nint user)
    {
        var source = (MemorySource)GCHandle.FromIntPtr(user).Target!;
        if (position < 0 || position > source.Length) return 0;
        source.Position = position;
        return 1;
    }
}
