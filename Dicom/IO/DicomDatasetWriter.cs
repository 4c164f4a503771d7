using System.Buffers;
using System.IO.Compression;

namespace Mirc.Dicom;

/// <summary>
/// Writes bare data sets (no preamble, no File Meta) in an uncompressed transfer syntax: DIMSE command sets
/// (Implicit VR LE, (0000,0000) computed and first) and data sets in any negotiated syntax.
/// </summary>
public static class DicomDatasetWriter
{
    /// <summary>Writes <paramref name="dataset"/> to <paramref name="output"/>.</summary>
    public static void Write(DicomDataset dataset, DicomTransferSyntax syntax, IBufferWriter<byte> output, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(new BufferWriterStream(output), options.DeflateLevel, leaveOpen: false);
            var plain = new ArrayBufferWriter<byte>();
            new DicomElementEncoder(plain, true, false, options).WriteDataset(dataset);
            deflate.Write(plain.WrittenSpan);
            return;
        }
        new DicomElementEncoder(output, syntax.IsExplicitVR, syntax.IsBigEndian, options).WriteDataset(dataset);
    }

    /// <summary>Writes a data set into a new array.</summary>
    public static byte[] Write(DicomDataset dataset, DicomTransferSyntax syntax, DicomWriteOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(dataset, syntax, buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a data set to a stream, flushing in blocks; large values go to the stream without an intermediate copy.</summary>
    public static async Task WriteAsync(DicomDataset dataset, DicomTransferSyntax syntax, Stream stream, DicomWriteOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= DicomWriteOptions.Default;
        if (syntax.IsDeflated)
        {
            await using var deflate = new DeflateStream(stream, options.DeflateLevel, leaveOpen: true);
            await WriteElementsAsync(dataset, true, false, deflate, options, cancellationToken).ConfigureAwait(false);
            return;
        }
        await WriteElementsAsync(dataset, syntax.IsExplicitVR, syntax.IsBigEndian, stream, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encoded size in bytes of a data set in an uncompressed, non-deflated syntax.</summary>
    public static long GetEncodedLength(DicomDataset dataset, DicomTransferSyntax syntax, DicomWriteOptions? options = null) =>
        new DicomElementEncoder(new ArrayBufferWriter<byte>(1), syntax.IsExplicitVR, syntax.IsBigEndian, options ?? DicomWriteOptions.Default).GetLength(dataset);

    internal static async Task WriteElementsAsync(DicomDataset dataset, bool explicitVR, bool bigEndian, Stream stream, DicomWriteOptions options, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var encoder = new DicomElementEncoder(buffer, explicitVR, bigEndian, options);
        foreach (var e in encoder.ElementsToWrite(dataset))
        {
            bool direct = e.GetType() == typeof(DicomElement) && e.Buffer.Length >= options.DirectWriteThreshold
                          && !(bigEndian && e.VR.ValueSize() > 1 || bigEndian && e.VR == DicomVR.AT);
            if (direct)
            {
                encoder.WriteHeaderFor(e);
                await FlushAsync(buffer, stream, ct).ConfigureAwait(false);
                await stream.WriteAsync(e.Buffer, ct).ConfigureAwait(false);
                if ((e.Buffer.Length & 1) == 1) await stream.WriteAsync(new[] { e.VR.PaddingByte() }, ct).ConfigureAwait(false);
                continue;
            }
            encoder.WriteElement(e);
            if (buffer.WrittenCount >= 64 * 1024) await FlushAsync(buffer, stream, ct).ConfigureAwait(false);
        }
        await FlushAsync(buffer, stream, ct).ConfigureAwait(false);
    }

    private static async ValueTask FlushAsync(ArrayBufferWriter<byte> buffer, Stream stream, CancellationToken ct)
    {
        if (buffer.WrittenCount == 0) return;
        await stream.WriteAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }
}
