namespace Mirc.Dicom;

/// <summary>Options for <see cref="DicomDatasetWriter"/> and <see cref="DicomFileWriter"/>.</summary>
public sealed record DicomWriteOptions
{
    /// <summary>Default options: sequences and items of undefined length, group lengths dropped except 0000/0002 (recomputed).</summary>
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>Write sequences and items with explicit (computed) lengths instead of delimiters.</summary>
    public bool DefinedLengthSequences { get; init; }

    /// <summary>Compression level for Deflated Explicit VR Little Endian.</summary>
    public System.IO.Compression.CompressionLevel DeflateLevel { get; init; } = System.IO.Compression.CompressionLevel.Fastest;

    /// <summary>Values at least this large are written straight from their memory to the stream (no intermediate copy).</summary>
    public int DirectWriteThreshold { get; init; } = 64 * 1024;
}
