using System.Buffers.Binary;
using Mirc.Dicom.PixelData;

namespace Mirc.Dicom;

/// <summary>
/// Whether two encodings hold the same SOP instance: the same attribute values, whatever the transfer syntax (implicit or
/// explicit VR, defined or undefined lengths, native or losslessly compressed pixel data). PS3.5 §10 makes the transfer
/// syntax a property of the encoding, not of the instance, so a sender may send one instance in any syntax it negotiated.
/// Pixel values are compared by the caller, who reads them: native ones as bytes under the same
/// <see cref="SamePixelDescription"/>, compressed ones frame by frame once decoded (<see cref="SameFrame"/>).
/// </summary>
public static class DicomEncodingEquivalence
{
    private static ReadOnlySpan<byte> Padding => " \0"u8;

    /// <summary>
    /// True when both data sets hold the same attributes with the same values, pixel data and its encoding-dependent
    /// attributes aside: group lengths, trailing padding, the pixel data elements and their offset tables, Photometric
    /// Interpretation / Planar Configuration at the top level (a codec may store colour samples as YBR or planar; the
    /// decoded frames tell, or <see cref="SamePixelDescription"/> when both are native), Number of Frames there (an
    /// encoder may drop a "1": compared as the frame count), and Derivation Description there, which compression tools
    /// write to describe the encoding they applied (dcmtk's dcmcjpeg does so for lossless JPEG: "Lossless JPEG
    /// compression, selection value 1, …"). Values are compared as bytes; a VR is not compared (an implicit VR reader
    /// names an unknown private element UN where the explicit encoding says LO, over the same bytes). Text that differs in
    /// its bytes is compared decoded, each side with its own Specific Character Set, which is itself left out (a PACS may
    /// re-encode Latin-1 as UTF-8, as dcmtk's <c>dcmconv +U8</c> does). Sequences are compared item by item.
    /// </summary>
    /// <remarks>Values as the reader holds them: little endian whatever the transfer syntax.</remarks>
    public static bool SameAttributes(DicomDataset a, DicomDataset b) => SameElements(a, b, topLevel: true);

    /// <summary>
    /// For two native encodings, whose pixel data is then compared as bytes: the same Photometric Interpretation, Planar
    /// Configuration and frame count (Number of Frames absent is one frame) — what <see cref="SameAttributes"/> leaves out.
    /// </summary>
    public static bool SamePixelDescription(DicomDataset a, DicomDataset b) =>
        string.Equals(a.GetStringOrDefault(DicomTag.PhotometricInterpretation)?.Trim(), b.GetStringOrDefault(DicomTag.PhotometricInterpretation)?.Trim(), StringComparison.Ordinal)
        && a.GetInt32OrDefault(DicomTag.PlanarConfiguration, 0) == b.GetInt32OrDefault(DicomTag.PlanarConfiguration, 0)
        && Math.Max(1, a.GetInt32OrDefault(DicomTag.NumberOfFrames, 1)) == Math.Max(1, b.GetInt32OrDefault(DicomTag.NumberOfFrames, 1));

    /// <summary>
    /// True when two decoded frames (from <see cref="Imaging.FrameDecoder"/>) hold the same pixel values: same geometry
    /// and photometric interpretation, the same samples within Bits Stored (bits above it carry no pixel value), colour
    /// samples compared interleaved whatever their planar configuration.
    /// </summary>
    public static bool SameFrame(ReadOnlySpan<byte> a, FrameGeometry geometryA, ReadOnlySpan<byte> b, FrameGeometry geometryB)
    {
        if (geometryA.Rows != geometryB.Rows || geometryA.Columns != geometryB.Columns || geometryA.SamplesPerPixel != geometryB.SamplesPerPixel
            || geometryA.BitsAllocated != geometryB.BitsAllocated || geometryA.BitsStored != geometryB.BitsStored
            || !string.Equals(geometryA.Photometric.Trim(), geometryB.Photometric.Trim(), StringComparison.Ordinal)
            || a.Length < geometryA.FrameLength || b.Length < geometryB.FrameLength)
        {
            return false;
        }

        if (geometryA.SamplesPerPixel > 1 && geometryA.IsPlanar != geometryB.IsPlanar)
        {
            // One frame in each layout: compare the planar one sample by sample against the interleaved one.
            return geometryA.IsPlanar ? SamePlanarAsInterleaved(a, b, geometryA) : SamePlanarAsInterleaved(b, a, geometryA);
        }

        a = a[..geometryA.FrameLength];
        b = b[..geometryB.FrameLength];
        var bytes = geometryA.BytesPerSample;
        if (bytes == 1 || geometryA.BitsStored >= 8 * bytes)
        {
            return a.SequenceEqual(b);
        }

        var mask = (1u << geometryA.BitsStored) - 1;
        for (var i = 0; i + bytes <= a.Length; i += bytes)
        {
            if ((Sample(a[i..], bytes) & mask) != (Sample(b[i..], bytes) & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static uint Sample(ReadOnlySpan<byte> at, int bytes) =>
        bytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(at) : BinaryPrimitives.ReadUInt32LittleEndian(at);

    private static bool SamePlanarAsInterleaved(ReadOnlySpan<byte> planar, ReadOnlySpan<byte> interleaved, FrameGeometry geometry)
    {
        // Whole samples compared as bytes: colour samples fill Bits Allocated (16- and 32-bit RGB exist, e.g. RLE files).
        var pixels = geometry.Rows * geometry.Columns;
        var samples = geometry.SamplesPerPixel;
        var bytes = geometry.BytesPerSample;
        for (var p = 0; p < pixels; p++)
        {
            for (var s = 0; s < samples; s++)
            {
                if (!planar.Slice((s * pixels + p) * bytes, bytes).SequenceEqual(interleaved.Slice((p * samples + s) * bytes, bytes)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool SameElements(DicomDataset a, DicomDataset b, bool topLevel)
    {
        var (charactersA, charactersB) = (a.CharacterSet, b.CharacterSet);
        var left = Compared(a, topLevel);
        var right = Compared(b, topLevel);
        while (true)
        {
            var hasLeft = left.MoveNext();
            if (hasLeft != right.MoveNext())
            {
                return false;
            }

            if (!hasLeft)
            {
                return true;
            }

            if (!SameElement(left.Current, charactersA, right.Current, charactersB))
            {
                return false;
            }
        }
    }

    private static bool SameElement(DicomElement a, DicomCharacterSet charactersA, DicomElement b, DicomCharacterSet charactersB)
    {
        if (a.Tag != b.Tag)
        {
            return false;
        }

        if (a is DicomSequence || b is DicomSequence)
        {
            if (a is not DicomSequence left || b is not DicomSequence right || left.Items.Count != right.Items.Count)
            {
                return false;
            }

            for (var i = 0; i < left.Items.Count; i++)
            {
                if (!SameElements(left.Items[i], right.Items[i], topLevel: false))
                {
                    return false;
                }
            }

            return true;
        }

        if (a is DicomFragmentSequence || b is DicomFragmentSequence)
        {
            return false; // encapsulated data below the top level: its bytes are its encoding
        }

        // Text as decoded by each side's character set (the same bytes may mean other text in another set), other strings
        // without their trailing padding (a UI padded with a space by one writer, NUL by another); an element read without
        // its VR (UN) only as bytes.
        if (a.VR == b.VR && a.VR.UsesSpecificCharacterSet())
        {
            return string.Equals(Text(a, charactersA), Text(b, charactersB), StringComparison.Ordinal);
        }

        return a.VR == b.VR && a.VR.IsString()
            ? a.Buffer.Span.TrimEnd(Padding).SequenceEqual(b.Buffer.Span.TrimEnd(Padding))
            : a.Buffer.Span.SequenceEqual(b.Buffer.Span);
    }

    private static string Text(DicomElement element, DicomCharacterSet characters) =>
        characters.Decode(element.Buffer.Span.TrimEnd(Padding), element.VR);

    private static IEnumerator<DicomElement> Compared(DicomDataset dataset, bool topLevel)
    {
        foreach (var element in dataset)
        {
            if (!IsEncodingDependent(element.Tag, topLevel))
            {
                yield return element;
            }
        }
    }

    private static bool IsEncodingDependent(DicomTag tag, bool topLevel) =>
        tag.IsGroupLength || tag.Group == 0x0002 || tag == DicomTag.DataSetTrailingPadding || tag == DicomTag.SpecificCharacterSet
        || (topLevel && (tag.Group == 0x7FE0 || tag == DicomTag.PhotometricInterpretation || tag == DicomTag.PlanarConfiguration
            || tag == DicomTag.NumberOfFrames || tag == DicomTag.DerivationDescription));
}
