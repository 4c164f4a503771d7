using System.Buffers.Binary;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// Re-encodes a data set from one transfer syntax into another: compressed pixel data is decoded to native samples
/// (and re-encoded when the target is compressed), the Image Pixel module is updated to describe the new samples.
/// Works on a copy: the stored original is never touched.
/// </summary>
public static class DicomTranscoder
{
    /// <summary>Native syntaxes the writer produces from any decoded data set.</summary>
    private static readonly HashSet<string> Native = new(StringComparer.Ordinal)
    {
        DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.DeflatedExplicitVRLittleEndian, DicomUids.ExplicitVRBigEndian,
    };

    /// <summary>True when data sets in <paramref name="from"/> can be turned into <paramref name="to"/>.</summary>
    public static bool CanTranscode(string from, string to) =>
        from == to || (CanDecode(from) && (Native.Contains(to) || PixelFrameCodecs.Find(to) is { CanEncode: true }));

    /// <summary>
    /// True when <paramref name="from"/> turns into <paramref name="to"/> without losing samples beyond what was already
    /// lost: what the archive may choose on its own for a peer (a lossy target only when it is the stored syntax).
    /// </summary>
    public static bool CanTranscodeWithoutLoss(string from, string to) =>
        from == to || (CanTranscode(from, to) && !DicomTransferSyntax.Lookup(to).IsLossy);

    /// <summary>True when pixel data in <paramref name="transferSyntaxUid"/> can be read as native samples.</summary>
    public static bool CanDecode(string transferSyntaxUid) => Native.Contains(transferSyntaxUid) || PixelFrameCodecs.Find(transferSyntaxUid) is not null;

    /// <summary>
    /// Among <paramref name="candidates"/> (in preference order), the first syntax <paramref name="stored"/> can be
    /// sent in: the stored syntax itself wins whenever it is a candidate.
    /// </summary>
    public static string? Choose(string stored, IEnumerable<string> candidates)
    {
        string? fallback = null;
        foreach (var candidate in candidates)
        {
            if (candidate == stored) return candidate;
            if (fallback is null && CanTranscodeWithoutLoss(stored, candidate)) fallback = candidate;
        }
        return fallback;
    }

    /// <summary>
    /// Returns a copy of <paramref name="dataset"/> encoded for <paramref name="to"/> (pixel data decoded / encoded,
    /// pixel module updated). The input is not modified.
    /// </summary>
    /// <exception cref="NotSupportedException">No codec for one side.</exception>
    /// <exception cref="DicomFormatException">The pixel data cannot be decoded.</exception>
    public static DicomDataset Transcode(DicomDataset dataset, DicomTransferSyntax from, DicomTransferSyntax to)
    {
        if (!CanTranscode(from.Uid, to.Uid)) throw new NotSupportedException($"no transcoding from {from.Uid} to {to.Uid}");
        return TranscodeImage(dataset, from, to, nested: false);
    }

    private static DicomDataset TranscodeImage(DicomDataset dataset, DicomTransferSyntax from, DicomTransferSyntax to, bool nested)
    {
        var copy = dataset.Clone();
        var pixel = dataset[DicomTag.PixelData];
        if (from.Uid == to.Uid || (!from.IsEncapsulated && !to.IsEncapsulated)) return copy;
        TranscodeNestedImages(copy, from, to);
        if (pixel is null) return copy;
        // An icon some writers leave uncompressed in a compressed file: read as what it is.
        if (nested && from.IsEncapsulated && pixel is not DicomFragmentSequence) from = DicomTransferSyntax.ExplicitVRLittleEndian;
        if (from.Uid == to.Uid) return copy;

        var geometry = FrameGeometry.From(dataset);
        List<byte[]> nativeFrames;
        DecodedFrameFormat format;
        if (from.IsEncapsulated)
        {
            var codec = PixelFrameCodecs.Find(from.Uid) ?? throw new NotSupportedException($"no decoder for {from.Uid}");
            (nativeFrames, format) = DecodeAll(codec, pixel as DicomFragmentSequence
                ?? throw new DicomFormatException("encapsulated transfer syntax without encapsulated pixel data"), geometry);
        }
        else
        {
            nativeFrames = SplitNative(pixel.Buffer, geometry);
            // YBR_FULL_422 frames were upsampled to whole pixels: they are YBR_FULL now.
            format = new DecodedFrameFormat(geometry.IsNativeSubsampled ? "YBR_FULL" : geometry.Photometric, geometry.IsPlanar);
        }

        var decodedGeometry = geometry with { Photometric = format.Photometric, IsPlanar = format.IsPlanar };
        if (to.IsEncapsulated)
        {
            var encoder = PixelFrameCodecs.Find(to.Uid) ?? throw new NotSupportedException($"no encoder for {to.Uid}");
            var fragments = nativeFrames.Select(f => (ReadOnlyMemory<byte>)encoder.Encode(f, decodedGeometry)).ToList();
            copy.Set(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, BasicOffsetTable(fragments), fragments));
            SetPixelModule(copy, decodedGeometry with { Photometric = encoder.EncodedPhotometric(decodedGeometry) });
            if (to.IsLossy && !nested) MarkLossy(copy, to.Uid, nativeFrames, fragments);
        }
        else
        {
            var all = new byte[(long)geometry.FrameLength * nativeFrames.Count + ((long)geometry.FrameLength * nativeFrames.Count & 1)];
            for (int i = 0; i < nativeFrames.Count; i++) nativeFrames[i].CopyTo(all, (long)i * geometry.FrameLength);
            copy.Set(new DicomElement(DicomTag.PixelData, geometry.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, all));
            SetPixelModule(copy, decodedGeometry);
            if (from.IsLossy && !nested) copy.Set(DicomTag.LossyImageCompression, "01");
        }
        return copy;
    }

    /// <summary>
    /// Pixel data inside items — an Icon Image Sequence's thumbnail — is in the data set's transfer syntax too (PS3.5
    /// A.4): left as it was, a J2K icon in a file now labelled RLE or Explicit VR LE makes the whole file unreadable
    /// (dcmtk: "Number of stripes in RLE header incorrect"). Each such item is transcoded like the image; one that cannot
    /// be is left out (icons are optional, Type 3), and a sequence left without items goes.
    /// </summary>
    private static void TranscodeNestedImages(DicomDataset copy, DicomTransferSyntax from, DicomTransferSyntax to)
    {
        foreach (var sequence in copy.Elements.OfType<DicomSequence>().Where(HoldsPixelData).ToList())
        {
            var items = new List<DicomDataset>(sequence.Items.Count);
            foreach (var item in sequence.Items)
            {
                if (!HoldsPixelData(item))
                {
                    items.Add(item);
                    continue;
                }
                try
                {
                    items.Add(TranscodeImage(item, from, to, nested: true));
                }
                catch (Exception e) when (e is DicomFormatException or NotSupportedException or ArgumentException or InvalidOperationException)
                {
                    // Left out: the image itself is still sent.
                }
            }
            if (items.Count == 0) copy.Remove(sequence.Tag);
            else copy.Set(new DicomSequence(sequence.Tag, items));
        }
    }

    private static bool HoldsPixelData(DicomSequence sequence) => sequence.Items.Any(HoldsPixelData);

    private static bool HoldsPixelData(DicomDataset item) => item.Elements.Any(e => e.Tag == DicomTag.PixelData || (e is DicomSequence s && HoldsPixelData(s)));

    /// <summary>Decodes every frame of encapsulated pixel data.</summary>
    public static (List<byte[]> Frames, DecodedFrameFormat Format) DecodeAll(PixelFrameCodec codec, DicomFragmentSequence pixel, FrameGeometry geometry)
    {
        var frames = new List<byte[]>(geometry.NumberOfFrames);
        var format = new DecodedFrameFormat(geometry.Photometric, geometry.IsPlanar);
        for (int i = 0; i < geometry.NumberOfFrames; i++)
        {
            var native = new byte[geometry.FrameLength];
            format = codec.Decode(FrameOf(pixel, i, geometry.NumberOfFrames), geometry, native);
            frames.Add(native);
        }
        return (frames, format);
    }

    /// <summary>The compressed bytes of frame <paramref name="index"/>: offset table, one fragment per frame, or all fragments of a single frame.</summary>
    public static byte[] FrameOf(DicomFragmentSequence pixel, int index, int frames)
    {
        if (frames == 1) return Concat(pixel.Fragments);
        var offsets = pixel.GetOffsets();
        if (offsets.Length == frames)
        {
            // Offsets count item headers (8 bytes each) plus values, from the first fragment item.
            var selected = new List<ReadOnlyMemory<byte>>();
            long position = 0;
            long start = offsets[index], end = index + 1 < frames ? offsets[index + 1] : long.MaxValue;
            foreach (var fragment in pixel.Fragments)
            {
                if (position >= start && position < end) selected.Add(fragment);
                position += 8 + fragment.Length;
            }
            if (selected.Count > 0) return Concat(selected);
        }
        if (pixel.Fragments.Count == frames) return pixel.Fragments[index].ToArray();
        throw new DicomFormatException($"{pixel.Fragments.Count} fragments for {frames} frames and no usable offset table: frame boundaries unknown");
    }

    private static byte[] Concat(IReadOnlyList<ReadOnlyMemory<byte>> fragments)
    {
        if (fragments.Count == 1) return fragments[0].ToArray();
        var result = new byte[fragments.Sum(f => f.Length)];
        int at = 0;
        foreach (var f in fragments)
        {
            f.Span.CopyTo(result.AsSpan(at));
            at += f.Length;
        }
        return result;
    }

    private static List<byte[]> SplitNative(ReadOnlyMemory<byte> pixels, FrameGeometry geometry)
    {
        int length = geometry.StoredNativeFrameLength;
        if (pixels.Length < (long)length * geometry.NumberOfFrames)
            throw new DicomFormatException($"native pixel data has {pixels.Length} bytes, {geometry.NumberOfFrames} frame(s) need {(long)length * geometry.NumberOfFrames}");
        return [.. Enumerable.Range(0, geometry.NumberOfFrames).Select(i => geometry.WholePixels(pixels.Span.Slice(i * length, length)).Samples)];
    }

    private static byte[] BasicOffsetTable(List<ReadOnlyMemory<byte>> fragments)
    {
        if (fragments.Count < 2) return [];
        var table = new byte[4 * fragments.Count];
        uint offset = 0;
        for (int i = 0; i < fragments.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4 * i), offset);
            offset += 8 + (uint)fragments[i].Length;
        }
        return table;
    }

    /// <summary>PS3.3 C.7.6.1.1.5: a lossy encoding is recorded (flag, ratio of this step, method) and never unset later.</summary>
    private static void MarkLossy(DicomDataset dataset, string syntax, List<byte[]> nativeFrames, List<ReadOnlyMemory<byte>> fragments)
    {
        var method = syntax switch
        {
            DicomUids.JPEGLSNearLossless => "ISO_14495_1",
            DicomUids.JPEG2000 => "ISO_15444_1",
            _ => "ISO_10918_1",
        };
        double ratio = (double)nativeFrames.Sum(f => (long)f.Length) / Math.Max(1, fragments.Sum(f => (long)f.Length));
        dataset.Set(DicomTag.LossyImageCompression, "01");
        dataset.Set(DicomTag.LossyImageCompressionMethod, DicomVR.CS, [.. dataset.GetStrings(DicomTag.LossyImageCompressionMethod), method]);
        dataset.Set(DicomTag.LossyImageCompressionRatio, DicomVR.DS,
            [.. dataset.GetStrings(DicomTag.LossyImageCompressionRatio), ratio.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)]);
    }

    private static void SetPixelModule(DicomDataset dataset, FrameGeometry geometry)
    {
        // Some writers leave Samples per Pixel out of an icon (octave-dicom's simpleImageWithIcon.dcm): read as 1 here,
        // but a decoder of the new encoding needs it (dcmtk: "Tag not found").
        if (!dataset.Contains(DicomTag.SamplesPerPixel)) dataset.Set(DicomTag.SamplesPerPixel, geometry.SamplesPerPixel);
        dataset.Set(DicomTag.PhotometricInterpretation, geometry.Photometric);
        if (geometry.SamplesPerPixel > 1) dataset.Set(DicomTag.PlanarConfiguration, geometry.IsPlanar ? 1 : 0);
    }
}
