using System.Runtime.InteropServices;

namespace Mirc.Dicom.Imaging;

/// <summary>JPEG output of rendered images, and of JPEG Baseline frames, through Debian's libturbojpeg (libjpeg-turbo's TurboJPEG 2.x API).</summary>
public static partial class TurboJpegEncoder
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgb = 0, PixelFormatGray = 6, SubsamplingGray = 3, Subsampling420 = 2, Subsampling422 = 1;

    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    private static partial nint InitCompress();

    [LibraryImport(Library, EntryPoint = "tjCompress2")]
    private static unsafe partial int Compress2(nint handle, byte* source, int width, int pitch, int height, int pixelFormat,
        ref nint jpegBuffer, ref nuint jpegSize, int subsampling, int quality, int flags);

    [LibraryImport(Library, EntryPoint = "tjFree")]
    private static partial void Free(nint buffer);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);

    /// <summary>Encodes <paramref name="image"/> as baseline JPEG at <paramref name="quality"/> (1–100), colour 4:2:0.</summary>
    public static byte[] Encode(RenderedImage image, int quality = 90) =>
        Compress(image.Pixels, image.Width, image.Height, image.Channels, image.Channels == 1 ? SubsamplingGray : Subsampling420, quality);

    /// <summary>
    /// Baseline JPEG of 8-bit grey or interleaved RGB samples, colour converted to YCbCr with its chroma halved
    /// horizontally (4:2:2: what DICOM calls YBR_FULL_422, dcmtk's default): a JPEG Baseline frame of a DICOM image.
    /// </summary>
    internal static byte[] CompressFrame(ReadOnlySpan<byte> samples, int width, int height, int channels, int quality) =>
        Compress(samples, width, height, channels, channels == 1 ? SubsamplingGray : Subsampling422, quality);

    private static unsafe byte[] Compress(ReadOnlySpan<byte> samples, int width, int height, int channels, int subsampling, int quality)
    {
        nint handle = InitCompress();
        if (handle == 0) throw new InvalidOperationException("libturbojpeg: cannot create a compressor");
        nint buffer = 0;
        nuint size = 0;
        try
        {
            fixed (byte* source = samples)
            {
                if (Compress2(handle, source, width, width * channels, height, channels == 1 ? PixelFormatGray : PixelFormatRgb,
                        ref buffer, ref size, subsampling, Math.Clamp(quality, 1, 100), 0) != 0)
                    throw new InvalidOperationException("libturbojpeg: compression failed");
            }
            var result = new byte[(int)size];
            Marshal.Copy(buffer, result, 0, result.Length);
            return result;
        }
        finally
        {
            if (buffer != 0) Free(buffer);
            Destroy(handle);
        }
    }
}
