using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// JPEG 2000 encoding through OpenJPEG into a raw codestream (what DICOM stores): reversible 5/3 wavelet and RCT for
/// the lossless syntax, irreversible 9/7 and ICT at a fixed compression ratio for the lossy one.
/// </summary>
internal static class Jpeg2000Encoder
{
    /// <summary>
    /// Compression ratio of the lossy syntax. 10:1 keeps diagnostic CT/CR quality in published studies; lossy output
    /// is only produced when a client asks for the lossy syntax by name, never chosen on its own.
    /// </summary>
    public const float LossyRatio = 10f;

    private sealed class MemorySink
    {
        public readonly MemoryStream Output = new();
    }

    public static unsafe byte[] Encode(ReadOnlySpan<byte> frame, FrameGeometry geometry, bool lossless)
    {
        int width = geometry.Columns, height = geometry.Rows, components = geometry.SamplesPerPixel;
        var parametersOfComponents = stackalloc OpenJpeg.ComponentParameters[components];
        for (int c = 0; c < components; c++)
        {
            parametersOfComponents[c] = new OpenJpeg.ComponentParameters
            {
                Dx = 1, Dy = 1, W = (uint)width, H = (uint)height, Prec = (uint)geometry.BitsStored, Sgnd = geometry.IsSigned ? 1u : 0u,
            };
        }
        var image = OpenJpeg.ImageCreate((uint)components, parametersOfComponents, components == 1 ? OpenJpeg.ColorSpaceGray : OpenJpeg.ColorSpaceSrgb);
        if (image is null) throw new OutOfMemoryException("OpenJPEG image");
        nint codec = 0, stream = 0;
        var sink = new MemorySink();
        var handle = GCHandle.Alloc(sink);
        try
        {
            image->X1 = (uint)width;
            image->Y1 = (uint)height;
            CopyIn(frame, geometry, image);

            var parameters = stackalloc byte[OpenJpeg.EncoderParametersSize];
            new Span<byte>(parameters, OpenJpeg.EncoderParametersSize).Clear();
            OpenJpeg.SetDefaultEncoderParameters(parameters);
            *(int*)(parameters + OpenJpeg.OffsetNumLayers) = 1;
            *(int*)(parameters + OpenJpeg.OffsetDistoAlloc) = 1;
            // Rate 0 (or 1) means lossless in OpenJPEG; the lossy syntax uses the fixed ratio.
            *(float*)(parameters + OpenJpeg.OffsetRates) = lossless ? 0f : LossyRatio;
            *(int*)(parameters + OpenJpeg.OffsetIrreversible) = lossless ? 0 : 1;
            // RGB images use the component transform (RCT lossless, ICT lossy): the Photometric Interpretation says so.
            *(parameters + OpenJpeg.OffsetMct) = (byte)(components == 3 && geometry.Photometric == "RGB" ? 1 : 0);
            int resolutions = 6; // OpenJPEG's default; fewer for small images (each level halves the smaller side)
            while (resolutions > 1 && (1 << (resolutions - 1)) > Math.Min(width, height)) resolutions--;
            *(int*)(parameters + OpenJpeg.OffsetNumResolution) = resolutions;

            codec = OpenJpeg.CreateCompress(OpenJpeg.CodecJ2K);
            if (OpenJpeg.SetupEncoder(codec, parameters, image) == 0) throw new DicomFormatException("JPEG 2000 encoder setup failed");
            stream = OpenJpeg.StreamCreate(1024 * 1024, 0);
            OpenJpeg.StreamSetWriteFunction(stream, &Write);
            OpenJpeg.StreamSetSkipFunction(stream, &Skip);
            OpenJpeg.StreamSetSeekFunction(stream, &Seek);
            OpenJpeg.StreamSetUserData(stream, GCHandle.ToIntPtr(handle), 0);
            if (OpenJpeg.StartCompress(codec, image, stream) == 0 || OpenJpeg.Encode(codec, stream) == 0 || OpenJpeg.EndCompress(codec, stream) == 0)
                throw new DicomFormatException($"JPEG 2000 encoding of a {width}x{height}x{components} {geometry.BitsStored}-bit frame failed");
        }
        finally
        {
            if (stream != 0) OpenJpeg.StreamDestroy(stream);
            if (codec != 0) OpenJpeg.DestroyCodec(codec);
            OpenJpeg.ImageDestroy(image);
            handle.Free();
        }
        var length = (int)sink.Output.Length;
        var result = new byte[length + (length & 1)];
        sink.Output.GetBuffer().AsSpan(0, length).CopyTo(result);
        return result;
    }

    /// <summary>Native samples into OpenJPEG's one int plane per component, signed ones sign-extended from Bits Stored.</summary>
    private static unsafe void CopyIn(ReadOnlySpan<byte> frame, FrameGeometry geometry, OpenJpeg.Image* image)
    {
        int pixels = geometry.Rows * geometry.Columns, components = geometry.SamplesPerPixel, bytes = geometry.BytesPerSample;
        int shift = 32 - geometry.BitsStored;
        int mask = geometry.BitsStored >= 32 ? -1 : (1 << geometry.BitsStored) - 1;
        for (int c = 0; c < components; c++)
        {
            int* data = image->Comps[c].Data;
            for (int p = 0; p < pixels; p++)
            {
                int index = geometry.IsPlanar ? c * pixels + p : p * components + c;
                int v = bytes == 1 ? frame[index] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * index)..]);
                data[p] = geometry.IsSigned ? (v << shift) >> shift : v & mask;
            }
        }
    }

    [UnmanagedCallersOnly]
    private static unsafe nuint Write(byte* buffer, nuint size, nint user)
    {
        var sink = (MemorySink)GCHandle.FromIntPtr(user).Target!;
        sink.Output.Write(new ReadOnlySpan<byte>(buffer, checked((int)size)));
        return size;
    }

    [UnmanagedCallersOnly]
    private static long Skip(long count, nint user)
    {
        var sink = (MemorySink)GCHandle.FromIntPtr(user).Target!;
        sink.Output.Position += count;
        return count;
    }

    [UnmanagedCallersOnly]
    private static int Seek(long position, nint user)
    {
        var sink = (MemorySink)GCHandle.FromIntPtr(user).Target!;
        sink.Output.Position = position;
        return 1;
    }
}
