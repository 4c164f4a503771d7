namespace Mirc.Grains.Interfaces.Studies;

/// <summary>
/// Where each frame's bytes are inside the instance blob, recorded at ingest so a frame can be read as byte
/// range(s) without reading the whole instance.
/// Regular native pixel data: frames are contiguous, <see cref="NativeFrameLength"/> bytes each from <see cref="PixelDataOffset"/>.
/// Otherwise (encapsulated, or native frames that are not byte-aligned): <see cref="Fragments"/> lists the byte ranges in order, and
/// <see cref="FrameFirstFragment"/>[n] is the index of frame n's first range (a frame spans up to the next frame's first).
/// When frame boundaries are unknown (deflated data set, fragments not mappable to frames) <see cref="PixelDataOffset"/> is -1
/// and <see cref="GetFrame"/> throws <see cref="InvalidOperationException"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirc.FrameLayout")]
public sealed record FrameLayout
{
    /// <summary>No pixel data (e.g. structured report).</summary>
    public static FrameLayout None { get; } = new();

    /// <summary>Number of frames (0 when the instance has no pixel data).</summary>
    [Id(0)] public int FrameCount { get; init; }

    /// <summary>Whether pixel data is encapsulated (compressed transfer syntaxes).</summary>
    [Id(1)] public bool Encapsulated { get; init; }

    /// <summary>Offset of the pixel data value (native) or of the first fragment value (encapsulated) from the blob start; -1 when none.</summary>
    [Id(2)] public long PixelDataOffset { get; init; } = -1;

    /// <summary>Length of the whole pixel data value (native) or of all fragment values together (encapsulated).</summary>
    [Id(3)] public long PixelDataLength { get; init; }

    /// <summary>Bytes per frame for native pixel data.</summary>
    [Id(4)] public long NativeFrameLength { get; init; }

    /// <summary>Explicit frame byte ranges (encapsulated fragment values, Basic Offset Table excluded; or irregular native frames), in order.</summary>
    [Id(5)] public FrameFragment[] Fragments { get; init; } = [];

    /// <summary>Index into <see cref="Fragments"/> of each frame's first range (when <see cref="Fragments"/> is used).</summary>
    [Id(6)] public int[] FrameFirstFragment { get; init; } = [];

    /// <summary>Whether frames can be read as byte ranges.</summary>
    public bool FramesLocatable => FrameCount > 0 && PixelDataOffset >= 0;

    /// <summary>Byte ranges of frame <paramref name="frameNumber"/> (1-based, as in DICOMweb), in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such frame.</exception>
    /// <exception cref="InvalidOperationException">Frame boundaries are unknown for this instance.</exception>
    public IReadOnlyList<FrameFragment> GetFrame(int frameNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameNumber, FrameCount);
        var index = frameNumber - 1;
        if (PixelDataOffset < 0)
        {
            throw new InvalidOperationException("Frame boundaries of this instance are unknown.");
        }

        if (Fragments.Length == 0)
        {
            return [new FrameFragment(PixelDataOffset + index * NativeFrameLength, NativeFrameLength)];
        }

        var first = FrameFirstFragment[index];
        var end = index + 1 < FrameFirstFragment.Length ? FrameFirstFragment[index + 1] : Fragments.Length;
        return new ArraySegment<FrameFragment>(Fragments, first, end - first);
    }
}
