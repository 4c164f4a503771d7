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
    public override byte[] Encode(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
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
    public override unsafe DecodedFrameFormat Decode(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination)
    {
        // JP2 file-format boxes are seen in the wild although DICOM stores a raw codestream.
        bool jp2 = frame.Length > 12 && frame[4] == (byte)'j' && frame[5] == (byte)'P';
        nint codec = OpenJpeg.CreateDecompress(jp2 ? OpenJpeg.CodecJP2 : OpenJpeg.CodecJ2K);
        nint stream = 0;
        OpenJpeg.Image* image = null;
        GCHandle handle = default;
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
                if (OpenJpeg.Decode(codec, stream, image) == 0 || OpenJpeg.EndDecompress(codec, stream) == 0)
                    throw new DicomFormatException("JPEG 2000 codestream undecodable");
            }
            return CopyOut(image, geometry, destination);
        }
        finally
        {
            if (image is not null) OpenJpeg.ImageDestroy(image);
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
