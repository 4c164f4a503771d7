using Mirc.Bench.Data;

namespace Mirc.Bench.Memory;

/// <summary>
/// Identity and shape of the synthetic multi-frame instance the memory test sends: 8-bit MONOCHROME2 frames of
/// <paramref name="Rows"/>×<paramref name="Columns"/>, native (uncompressed), Explicit VR Little Endian.
/// </summary>
/// <param name="PatientId">Patient ID.</param>
/// <param name="StudyUid">Study Instance UID.</param>
/// <param name="SeriesUid">Series Instance UID.</param>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
/// <param name="Rows">Rows of each frame.</param>
/// <param name="Columns">Columns of each frame.</param>
/// <param name="Frames">Number of frames.</param>
public sealed record StreamedMultiFrameSpec(string PatientId, string StudyUid, string SeriesUid, string SopInstanceUid, int Rows, int Columns, int Frames)
{
    /// <summary>Largest even value length a 32-bit element length can declare (0xFFFFFFFF means undefined length).</summary>
    public const long MaxPixelDataLength = 0xFFFF_FFFEL;

    /// <summary>Bytes of one frame (8 bits, one sample per pixel).</summary>
    public long FrameBytes => (long)Rows * Columns;

    /// <summary>Value length of Pixel Data: every frame back to back.</summary>
    public long PixelDataLength => FrameBytes * Frames;

    /// <summary>
    /// The instance of about <paramref name="approximateBytes"/> of pixel data (whole frames, at least one) of
    /// <paramref name="side"/>×<paramref name="side"/> frames, with UIDs derived from <paramref name="seed"/>.
    /// </summary>
    public static StreamedMultiFrameSpec ForSize(string seed, long approximateBytes, int side)
    {
        if (side is < 2 or > 4096 || side % 2 != 0) throw new ArgumentException("frame side must be an even number from 2 to 4096");
        var frameBytes = (long)side * side;
        var frames = Math.Max(1, approximateBytes / frameBytes);
        if (frames * frameBytes > MaxPixelDataLength || frames > 999_999_999)
        {
            throw new ArgumentException($"{frames * frameBytes} bytes of pixel data exceed what a 32-bit element length can declare");
        }

        var key = $"{seed}/memory/multiframe";
        return new StreamedMultiFrameSpec($"BENCH-{seed}-MEM", DeterministicUid.From(key), DeterministicUid.From(key + "/series"),
            DeterministicUid.From(key + "/instance"), side, side, (int)frames);
    }
}
