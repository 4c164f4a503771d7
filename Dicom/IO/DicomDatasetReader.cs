using System.Buffers;
using System.IO.Compression;

namespace Mirc.Dicom;

/// <summary>Synchronous parsing of a bare data set (no preamble, no File Meta) held in memory, e.g. DIMSE command and data sets.</summary>
public static class DicomDatasetReader
{
    /// <summary>Parses a data set; element values reference <paramref name="data"/> (no copy, keep it alive and unchanged).</summary>
    public static DicomDataset Read(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null)
    {
        if (syntax.IsDeflated) data = Inflate(data);
        var ds = new DicomDataset();
        var parser = new DicomDatasetParser(data, 0, true, syntax.IsExplicitVR, syntax.IsBigEndian, options ?? DicomReadOptions.Default);
        int pos = 0;
        parser.ParseAll(ref pos, ds);
        return ds;
    }

    /// <summary>Parses a data set from a span (copied once).</summary>
    public static DicomDataset Read(ReadOnlySpan<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null) =>
        Read(new ReadOnlyMemory<byte>(data.ToArray()), syntax, options);

    /// <summary>Parses a data set from a sequence (copied when it has several segments, e.g. P-DATA fragments).</summary>
    public static DicomDataset Read(ReadOnlySequence<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null) =>
        Read(data.IsSingleSegment ? data.First : data.ToArray(), syntax, options);

    private static ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> data)
    {
        try
        {
            using var input = new MemoryStream(data.ToArray(), writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            deflate.CopyTo(output);
            return output.GetBuffer().AsMemory(0, (int)output.Length);
        }
        catch (InvalidDataException e)
        {
            throw new DicomFormatException("deflated data set is not valid raw deflate data", e);
        }
    }
}
