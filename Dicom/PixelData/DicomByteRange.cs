namespace Mirc.Dicom;

/// <summary>A byte range of the stored file.</summary>
/// <param name="Offset">Absolute offset from the start of the input.</param>
/// <param name="Length">Number of bytes.</param>
public readonly record struct DicomByteRange(long Offset, long Length)
{
    /// <summary>Offset of the first byte after the range.</summary>
    public long End => Offset + Length;
}
