namespace Mirc.Dicom;

/// <summary>
/// A data element: tag, VR and its value bytes exactly as encoded in Little Endian (big-endian input is swapped on read),
/// including any trailing padding byte. Sequences are <see cref="DicomSequence"/>, encapsulated pixel data
/// <see cref="DicomFragmentSequence"/>. Decode values through <see cref="DicomDataset"/> getters (they know the character set).
/// </summary>
public class DicomElement
{
    /// <summary>Creates an element over existing bytes (not copied; odd lengths are padded when written).</summary>
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> buffer)
    {
        Tag = tag;
        VR = vr;
        Buffer = buffer;
    }

    /// <summary>The tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>The VR (from the stream in Explicit VR, from the dictionary in Implicit VR).</summary>
    public DicomVR VR { get; }

    /// <summary>The value bytes (Little Endian), as read or as set.</summary>
    public ReadOnlyMemory<byte> Buffer { get; }

    /// <summary>True when the value is empty (zero length, or a sequence without items).</summary>
    public virtual bool IsEmpty => Buffer.IsEmpty;

    /// <summary>Number of values for binary VRs of fixed size (US, FL, AT …); for strings, the number of backslash-separated values.</summary>
    public int ValueCount
    {
        get
        {
            if (Buffer.IsEmpty) return 0;
            int size = VR.ValueSize();
            if (size > 0) return Buffer.Length / size;
            if (VR.IsSingleValuedText() || !VR.IsString()) return 1;
            return System.MemoryExtensions.Count(Buffer.Span, (byte)'\\') + 1;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Tag} {VR.Code()} #{Buffer.Length}";
}
