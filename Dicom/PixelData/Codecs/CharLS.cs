using System.Runtime.InteropServices;

namespace Mirc.Dicom.PixelData;

/// <summary>P/Invoke surface of Debian's CharLS 2.x (libcharls2), the JPEG-LS reference-grade codec.</summary>
internal static partial class CharLS
{
    private const string Library = "libcharls.so.2";

    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    /// <summary>charls_interleave_mode.</summary>
    public enum InterleaveMode
    {
        None = 0,
        Line = 1,
        Sample = 2,
    }

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_create")]
    public static partial nint DecoderCreate();

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_destroy")]
    public static partial void DecoderDestroy(nint decoder);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_set_source_buffer")]
    public static unsafe partial int DecoderSetSourceBuffer(nint decoder, byte* source, nuint size);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_read_header")]
    public static partial int DecoderReadHeader(nint decoder);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_frame_info")]
    public static partial int DecoderGetFrameInfo(nint decoder, out FrameInfo frameInfo);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_interleave_mode")]
    public static partial int DecoderGetInterleaveMode(nint decoder, out InterleaveMode mode);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_destination_size")]
    public static partial int DecoderGetDestinationSize(nint decoder, uint stride, out nuint size);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_decode_to_buffer")]
    public static unsafe partial int DecoderDecodeToBuffer(nint decoder, byte* destination, nuint size, uint stride);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_create")]
    public static partial nint EncoderCreate();

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_destroy")]
    public static partial void EncoderDestroy(nint encoder);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_frame_info")]
    public static partial int EncoderSetFrameInfo(nint encoder, in FrameInfo frameInfo);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_near_lossless")]
    public static partial int EncoderSetNearLossless(nint encoder, int nearLossless);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_interleave_mode")]
    public static partial int EncoderSetInterleaveMode(nint encoder, InterleaveMode mode);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_get_estimated_destination_size")]
    public static partial int EncoderGetEstimatedDestinationSize(nint encoder, out nuint size);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_destination_buffer")]
    public static unsafe partial int EncoderSetDestinationBuffer(nint encoder, byte* destination, nuint size);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_encode_from_buffer")]
    public static unsafe partial int EncoderEncodeFromBuffer(nint encoder, byte* source, nuint size, uint stride);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_get_bytes_written")]
    public static partial int EncoderGetBytesWritten(nint encoder, out nuint written);

    /// <summary>Throws a specific error for a CharLS error code (0 = success).</summary>
    public static void Check(int error, string step)
    {
        if (error != 0) throw new DicomFormatException($"JPEG-LS {step} failed (CharLS error {error})");
    }
}
