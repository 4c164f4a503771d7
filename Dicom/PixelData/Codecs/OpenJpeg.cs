using System.Runtime.InteropServices;

namespace Mirc.Dicom.PixelData;

/// <summary>P/Invoke surface of Debian's OpenJPEG 2.5 (libopenjp2-7): decoding from and encoding to memory streams.</summary>
internal static unsafe partial class OpenJpeg
{
    private const string Library = "libopenjp2.so.7";

    /// <summary>OPJ_CODEC_J2K (raw codestream, as DICOM stores it) and OPJ_CODEC_JP2 (file format).</summary>
    public const int CodecJ2K = 0, CodecJP2 = 2;

    /// <summary>Large enough for opj_dparameters_t (two 4096-byte paths plus a few fields); filled by the library.</summary>
    public const int DecoderParametersSize = 16 * 1024;

    /// <summary>opj_image_t (x0, y0, x1, y1, numcomps, color_space, comps, …).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Image
    {
        public uint X0, Y0, X1, Y1, NumComps;
        public int ColorSpace;
        public ImageComponent* Comps;
    }

    /// <summary>opj_image_comp_t of OpenJPEG 2.5.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ImageComponent
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd, ResnoDecoded, Factor;
        public int* Data;
        public ushort Alpha;
    }

    /// <summary>
    /// sizeof(opj_cparameters_t) in OpenJPEG 2.5 and the offsets of the fields we set (read with offsetof from
    /// Debian's openjpeg.h); the rest keeps the library's defaults.
    /// </summary>
    public const int EncoderParametersSize = 18720;
    public const int OffsetDistoAlloc = 20, OffsetNumLayers = 4796, OffsetRates = 4800, OffsetNumResolution = 5600, OffsetIrreversible = 5616, OffsetMct = 18698;

    /// <summary>OPJ_CLRSPC_SRGB and OPJ_CLRSPC_GRAY.</summary>
    public const int ColorSpaceSrgb = 1, ColorSpaceGray = 2;

    /// <summary>opj_image_cmptparm_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ComponentParameters
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd;
    }

    [LibraryImport(Library, EntryPoint = "opj_image_create")]
    public static partial Image* ImageCreate(uint components, ComponentParameters* parameters, int colorSpace);

    [LibraryImport(Library, EntryPoint = "opj_create_compress")]
    public static partial nint CreateCompress(int format);

    [LibraryImport(Library, EntryPoint = "opj_set_default_encoder_parameters")]
    public static partial void SetDefaultEncoderParameters(byte* parameters);

    [LibraryImport(Library, EntryPoint = "opj_setup_encoder")]
    public static partial int SetupEncoder(nint codec, byte* parameters, Image* image);

    [LibraryImport(Library, EntryPoint = "opj_start_compress")]
    public static partial int StartCompress(nint codec, Image* image, nint stream);

    [LibraryImport(Library, EntryPoint = "opj_encode")]
    public static partial int Encode(nint codec, nint stream);

    [LibraryImport(Library, EntryPoint = "opj_end_compress")]
    public static partial int EndCompress(nint codec, nint stream);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_write_function")]
    public static partial void StreamSetWriteFunction(nint stream, delegate* unmanaged<byte*, nuint, nint, nuint> write);

    [LibraryImport(Library, EntryPoint = "opj_create_decompress")]
    public static partial nint CreateDecompress(int format);

    [LibraryImport(Library, EntryPoint = "opj_set_default_decoder_parameters")]
    public static partial void SetDefaultDecoderParameters(byte* parameters);

    [LibraryImport(Library, EntryPoint = "opj_setup_decoder")]
    public static partial int SetupDecoder(nint codec, byte* parameters);

    [LibraryImport(Library, EntryPoint = "opj_stream_create")]
    public static partial nint StreamCreate(nuint bufferSize, int isInput);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_read_function")]
    public static partial void StreamSetReadFunction(nint stream, delegate* unmanaged<byte*, nuint, nint, nuint> read);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_skip_function")]
    public static partial void StreamSetSkipFunction(nint stream, delegate* unmanaged<long, nint, long> skip);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_seek_function")]
    public static partial void StreamSetSeekFunction(nint stream, delegate* unmanaged<long, nint, int> seek);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_user_data")]
    public static partial void StreamSetUserData(nint stream, nint data, nint freeFunction);

    [LibraryImport(Library, EntryPoint = "opj_stream_set_user_data_length")]
    public static partial void StreamSetUserDataLength(nint stream, ulong length);

    [LibraryImport(Library, EntryPoint = "opj_read_header")]
    public static partial int ReadHeader(nint stream, nint codec, out Image* image);

    /// <summary>Decode only up to resolution level (highest − factor): each level halves width and height.</summary>
    [LibraryImport(Library, EntryPoint = "opj_set_decoded_resolution_factor")]
    public static partial int SetDecodedResolutionFactor(nint codec, uint factor);

    [LibraryImport(Library, EntryPoint = "opj_decode")]
    public static partial int Decode(nint codec, nint stream, Image* image);

    [LibraryImport(Library, EntryPoint = "opj_end_decompress")]
    public static partial int EndDecompress(nint codec, nint stream);

    [LibraryImport(Library, EntryPoint = "opj_image_destroy")]
    public static partial void ImageDestroy(Image* image);

    [LibraryImport(Library, EntryPoint = "opj_stream_destroy")]
    public static partial void StreamDestroy(nint stream);

    [LibraryImport(Library, EntryPoint = "opj_destroy_codec")]
    public static partial void DestroyCodec(nint codec);
}
