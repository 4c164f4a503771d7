namespace Mirc.Dicom;

/// <summary>
/// Where the top-level Pixel Data of an instance is, recorded by the reader without loading it, and how to locate frames:
/// native frames are consecutive blocks of Rows×Columns×SamplesPerPixel×BitsAllocated/8 bytes; encapsulated frames are
/// mapped to fragments through the Extended Offset Table, the Basic Offset Table, or one fragment per frame.
/// </summary>
public sealed class PixelDataInfo
{
    internal PixelDataInfo(DicomTag tag, DicomVR vr, long elementOffset, long valueOffset, long valueLength, bool encapsulated)
    {
        Tag = tag;
        VR = vr;
        ElementOffset = elementOffset;
        ValueOffset = valueOffset;
        ValueLength = valueLength;
        IsEncapsulated = encapsulated;
    }

    /// <summary>(7FE0,0010) Pixel Data, or the float/double variants.</summary>
    public DicomTag Tag { get; }
    /// <summary>OB or OW (OF/OD for float pixel data).</summary>
    public DicomVR VR { get; }
    /// <summary>Offset of the element's tag in the input.</summary>
    public long ElementOffset { get; }
    /// <summary>Offset of the value (native) or of the first item tag (encapsulated).</summary>
    public long ValueOffset { get; }
    /// <summary>Value length for native data; for encapsulated data the bytes up to and including the sequence delimiter when scanned, else -1.</summary>
    public long ValueLength { get; internal set; }
    /// <summary>True for encapsulated (compressed) pixel data.</summary>
    public bool IsEncapsulated { get; }
    /// <summary>True when offsets refer to the inflated data set (Deflated transfer syntax): frame ranges are then not file ranges.</summary>
    public bool IsInflatedOffsets { get; internal set; }
    /// <summary>The transfer syntax of the data set.</summary>
    public DicomTransferSyntax TransferSyntax { get; internal set; } = DicomTransferSyntax.ExplicitVRLittleEndian;
    /// <summary>Encapsulated fragments (value offset and length of each item after the Basic Offset Table).</summary>
    public IReadOnlyList<DicomByteRange> Fragments { get; internal set; } = [];
    /// <summary>Offsets from the Basic Offset Table item (relative to the first fragment item's tag), empty if none.</summary>
    public IReadOnlyList<uint> BasicOffsetTable { get; internal set; } = [];
    /// <summary>(7FE0,0001) Extended Offset Table, if present.</summary>
    public IReadOnlyList<ulong>? ExtendedOffsetTable { get; internal set; }
    /// <summary>(7FE0,0002) Extended Offset Table Lengths, if present.</summary>
    public IReadOnlyList<ulong>? ExtendedOffsetTableLengths { get; internal set; }
    /// <summary>(0028,0008) Number of Frames (1 when absent).</summary>
    public int NumberOfFrames { get; internal set; } = 1;
    /// <summary>(0028,0010) Rows.</summary>
    public int Rows { get; internal set; }
    /// <summary>(0028,0011) Columns.</summary>
    public int Columns { get; internal set; }
    /// <summary>(0028,0002) Samples per Pixel.</summary>
    public int SamplesPerPixel { get; internal set; } = 1;
    /// <summary>(0028,0100) Bits Allocated.</summary>
    public int BitsAllocated { get; internal set; }
    /// <summary>(0028,0004) Photometric Interpretation, trimmed (null when absent).</summary>
    public string? PhotometricInterpretation { get; internal set; }

    /// <summary>
    /// Bytes of one native frame (Rows×Columns×Samples×BitsAllocated/8; 1-bit data rounded up; YBR_FULL_422 two samples
    /// per pixel, PS3.3 C.7.6.3.1.2), 0 if unknown.
    /// </summary>
    public long FrameLength => BitsAllocated == 1
        ? ((long)Rows * Columns * SamplesPerPixel + 7) / 8
        : (long)Rows * Columns * PixelData.FrameGeometry.StoredSamplesPerPixel(SamplesPerPixel, PhotometricInterpretation) * (BitsAllocated / 8);

    /// <summary>
    /// Byte ranges (absolute, in the input) holding frame <paramref name="frameIndex"/> (zero-based: WADO frame number − 1).
    /// Native data: one range. Encapsulated: the fragment values making the frame, in order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame does not exist.</exception>
    /// <exception cref="InvalidOperationException">The frame cannot be located (deflated data set, or fragments not mappable to frames).</exception>
    public IReadOnlyList<DicomByteRange> GetFrameRange(int frameIndex)
    {
        if (IsInflatedOffsets) throw new InvalidOperationException("Pixel data of a deflated data set has no file byte range");
        int frames = Math.Max(1, NumberOfFrames);
        if (frameIndex < 0 || frameIndex >= frames)
            throw new ArgumentOutOfRangeException(nameof(frameIndex), $"frame index {frameIndex} outside 0..{frames - 1}");
        return IsEncapsulated ? EncapsulatedFrame(frameIndex, frames) : [NativeFrame(frameIndex)];
    }

    /// <summary>Like <see cref="GetFrameRange"/> but returns false instead of throwing.</summary>
    public bool TryGetFrameRange(int frameIndex, out IReadOnlyList<DicomByteRange> ranges)
    {
        try
        {
            ranges = GetFrameRange(frameIndex);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            ranges = [];
            return false;
        }
    }

    private DicomByteRange NativeFrame(int frameIndex)
    {
        long frame = FrameLength;
        if (frame <= 0) throw new InvalidOperationException("Rows, Columns or Bits Allocated missing: frame size unknown");
        if (BitsAllocated == 1 && ((long)Rows * Columns * SamplesPerPixel) % 8 != 0)
        {
            // 1-bit frames are not byte aligned: return the bytes that contain the frame's bits.
            long bits = (long)Rows * Columns * SamplesPerPixel;
            long startBit = bits * frameIndex;
            long first = startBit / 8, last = (startBit + bits - 1) / 8;
            return Checked(new DicomByteRange(ValueOffset + first, last - first + 1));
        }
        return Checked(new DicomByteRange(ValueOffset + frame * frameIndex, frame));
    }

    private DicomByteRange Checked(DicomByteRange r)
    {
        if (ValueLength >= 0 && r.End > ValueOffset + ValueLength)
            throw new InvalidOperationException($"frame range {r} exceeds the pixel data value length {ValueLength}");
        return r;
    }

    private IReadOnlyList<DicomByteRange> EncapsulatedFrame(int frameIndex, int frames)
    {
        if (Fragments.Count == 0) throw new InvalidOperationException("encapsulated fragments were not scanned");
        // The first fragment item's tag follows the Basic Offset Table item: 8-byte header + fragment value.
        long firstItemTag = Fragments[0].Offset - 8;
        if (ExtendedOffsetTable is { } eot && eot.Count == frames)
        {
            long start = firstItemTag + (long)eot[frameIndex];
            long end = frameIndex + 1 < frames ? firstItemTag + (long)eot[frameIndex + 1] : long.MaxValue;
            return FragmentsBetween(start, end);
        }
        if (BasicOffsetTable.Count == frames)
        {
            long start = firstItemTag + BasicOffsetTable[frameIndex];
            long end = frameIndex + 1 < frames ? firstItemTag + BasicOffsetTable[frameIndex + 1] : long.MaxValue;
            return FragmentsBetween(start, end);
        }
        if (frames == 1) return Fragments;
        if (Fragments.Count == frames) return [Fragments[frameIndex]];
        throw new InvalidOperationException($"{Fragments.Count} fragments for {frames} frames and no offset table: frame boundaries unknown");
    }

    private List<DicomByteRange> FragmentsBetween(long itemStart, long itemEnd)
    {
        var result = new List<DicomByteRange>();
        foreach (var f in Fragments)
        {
            long item = f.Offset - 8;
            if (item >= itemStart && item < itemEnd) result.Add(f);
        }
        if (result.Count == 0) throw new InvalidOperationException("offset table points to no fragment");
        return result;
    }
}
