using System.Runtime.InteropServices;

namespace Mirc.Dicom.Imaging;

/// <summary>JPEG output of rendered images through Debian's libturbojpeg (libjpeg-turbo's TurboJPEG 2.x API).</summary>
public static partial class TurboJpegEncoder
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgb = 0, PixelFormatGray = 6, SubsamplingGray = 3, Subsampling420 = 2;

    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    private static partial nint InitCompress();

    [LibraryImport(Library, EntryPoint = "tjCompress2")]
    private static unsafe partial int Compress2(nint handle, byte* source, int width, int pitch, int height, int pixelFormat,
        ref nint jpegBuffer, ref nuint jpegSize, int subsampling, int quality, int flags);

    [LibraryImport(Library, EntryPoint = "tjFree")]
    private static partial void Free(nint buffer);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);

    /// <summary>Encodes <paramref name="image"/> as baseline JPEG at <paramref name="quality"/> (1–100).</summary>
    public static unsafe byte[] Encode(RenderedImage image, int quality = 90)
    {
        nint handle = InitCompress();
        if (handle == 0) throw new InvalidOperationException("libturbojpeg: cannot create a compressor");
        nint buffer = 0;
        nuint size = 0;
        try
        {
            bool grey = image.Channels == 1;
            fixed (byte* source = image.Pixels)
            {
                if (Compress2(handle, source, image.Width, image.Width * image.Channels, image.Height, grey ? PixelFormatGray : PixelFormatRgb,
                        ref buffer, ref size, grey ? SubsamplingGray : Subsampling420, Math.Clamp(quality, 1, 100), 0) != 0)
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
