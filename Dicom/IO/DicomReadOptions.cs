namespace Mirc.Dicom;

/// <summary>Options for <see cref="DicomFileReader"/> and <see cref="DicomDatasetReader"/>.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Default options: everything is loaded.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Header only: stop at top-level Pixel Data, record its position (and fragment table for encapsulated data).</summary>
    public static DicomReadOptions HeaderOnly { get; } = new() { StopAtPixelData = true };

    /// <summary>
    /// Stop when the top-level Pixel Data element (7FE0,0010/0008/0009) is reached: its value is not loaded, its offset and
    /// length are recorded in <see cref="DicomFile.PixelData"/>. For encapsulated data the item headers are scanned
    /// (fragment contents skipped: seek, or read and discard on non-seekable streams) unless <see cref="ScanFragments"/> is false.
    /// </summary>
    public bool StopAtPixelData { get; init; }

    /// <summary>Do not load Pixel Data but keep parsing the elements after it (e.g. trailing padding or signatures).</summary>
    public bool SkipPixelData { get; init; }

    /// <summary>With <see cref="StopAtPixelData"/>/<see cref="SkipPixelData"/>, scan encapsulated fragment items to record their offsets.</summary>
    public bool ScanFragments { get; init; } = true;

    /// <summary>Maximum nesting depth of sequences (deeper input is rejected with <see cref="DicomFormatException"/>).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Bytes read from the stream at a time.</summary>
    public int ReadBufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Refuse a data set cut short by the end of its input instead of reading it as far as it goes: bytes after the last
    /// element that are not zero padding (the start of a cut element header) and a sequence or item whose declared length
    /// runs past the end of the input are <see cref="DicomFormatException"/>s. Off by default (a viewer reads what is
    /// there, as dcmtk does); an archive's ingest sets it so a cut file is refused rather than stored as whole.
    /// </summary>
    public bool RefuseTruncation { get; init; }

    /// <summary>Largest single element value accepted (guards against absurd declared lengths on streams of unknown length).</summary>
    public long MaxElementLength { get; init; } = int.MaxValue - 64;
}
