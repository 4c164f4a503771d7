namespace Mirc.Dicom.PixelData;

/// <summary>One compressed transfer syntax: decodes a frame to native little-endian samples, and encodes where supported.</summary>
public abstract class PixelFrameCodec
{
    /// <summary>The transfer syntax this codec reads (and writes when <see cref="CanEncode"/>).</summary>
    public abstract string TransferSyntaxUid { get; }

    /// <summary>True when <see cref="Encode"/> is implemented.</summary>
    public virtual bool CanEncode => false;

    /// <summary>
    /// Most bits a sample of this syntax can hold. 16 for the JPEG family as the archive's codecs read and write it;
    /// RLE holds any sample size up to its 15 byte planes (32-bit samples: an RT Dose grid, a 32-bit colour image).
    /// </summary>
    public virtual int MaxBitsAllocated => 16;

    /// <summary>
    /// Decodes one frame (its fragments concatenated) into <paramref name="destination"/>, which has
    /// <see cref="FrameGeometry.FrameLength"/> bytes; samples of more than 8 bits are written little endian.
    /// </summary>
    /// <exception cref="DicomFormatException">The frame is corrupt or does not match the geometry (e.g. 32-bit samples in a syntax that cannot hold them).</exception>
    public DecodedFrameFormat Decode(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination) =>
        BitDepthRefusal(geometry) is { } why ? throw new DicomFormatException(why) : DecodeFrame(frame, geometry, destination);

    /// <summary><see cref="Decode"/> of a geometry within <see cref="MaxBitsAllocated"/>.</summary>
    protected abstract DecodedFrameFormat DecodeFrame(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination);

    /// <summary>
    /// Decodes one frame at the smallest resolution this codec can produce cheaply that still has at least
    /// <paramref name="minColumns"/> × <paramref name="minRows"/> pixels (a thumbnail needs no full decode); the
    /// returned geometry gives the size actually decoded. By default the frame is decoded in full.
    /// </summary>
    public virtual (byte[] Samples, FrameGeometry Geometry) DecodeAtLeast(ReadOnlySpan<byte> frame, FrameGeometry geometry, int minColumns, int minRows)
    {
        var native = new byte[geometry.FrameLength];
        var format = Decode(frame, geometry, native);
        return (native, geometry with { Photometric = format.Photometric, IsPlanar = format.IsPlanar });
    }

    /// <summary>
    /// Why frames of <paramref name="geometry"/> (null: any frame) cannot be encoded (e.g. baseline JPEG and 16-bit
    /// samples), or null when they can: lets a server refuse with the reason before it starts answering.
    /// </summary>
    public virtual string? EncodeRefusal(FrameGeometry? geometry) =>
        !CanEncode ? $"encoding into {TransferSyntaxUid} is not supported" : geometry is null ? null : BitDepthRefusal(geometry);

    /// <summary>True when <see cref="EncodeRefusal"/> depends on the frame (so each instance's pixel module must be checked).</summary>
    public virtual bool HasGeometryLimits => CanEncode && MaxBitsAllocated < 32;

    /// <summary>Encodes one native frame; the result is the fragment value (even length).</summary>
    /// <exception cref="NotSupportedException">This codec does not encode, or not frames of <paramref name="geometry"/>.</exception>
    public byte[] Encode(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry) =>
        EncodeRefusal(geometry) is { } why ? throw new NotSupportedException(why) : EncodeFrame(nativeFrame, geometry);

    /// <summary><see cref="Encode"/> of a frame <see cref="EncodeRefusal"/> accepts.</summary>
    protected virtual byte[] EncodeFrame(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry) =>
        throw new NotSupportedException($"encoding into {TransferSyntaxUid} is not supported");

    /// <summary>Why samples of <paramref name="geometry"/> do not fit this syntax, or null when they do.</summary>
    protected string? BitDepthRefusal(FrameGeometry geometry) => geometry.BitsAllocated > MaxBitsAllocated
        ? $"{TransferSyntaxUid} holds samples of at most {MaxBitsAllocated} bits; this pixel module allocates {geometry.BitsAllocated}"
        : null;

    /// <summary>Photometric Interpretation the encoded frame carries, given the native one.</summary>
    public virtual string EncodedPhotometric(FrameGeometry geometry) => geometry.Photometric;

    /// <summary>Fails with a specific message when a decoder's output does not have the size the data set declares.</summary>
    protected static void RequireSize(long actual, long expected, string what)
    {
        if (actual != expected) throw new DicomFormatException($"{what}: decoded {actual} bytes, the pixel module declares {expected}");
    }
}
