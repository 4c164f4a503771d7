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
            var counted = new EvenLengthStream(new BufferWriterStream(output));
            using (var deflate = new DeflateStream(counted, options.DeflateLevel, leaveOpen: true))
            {
                var plain = new ArrayBufferWriter<byte>();
                new DicomElementEncoder(plain, true, false, options).WriteDataset(dataset);
                deflate.Write(plain.WrittenSpan);
            }
            counted.PadToEvenLength();
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
            var counted = new EvenLengthStream(stream);
            var deflate = new DeflateStream(counted, options.DeflateLevel, leaveOpen: true);
            await using (deflate.ConfigureAwait(false))
                await WriteElementsAsync(dataset, true, false, deflate, options, cancellationToken).ConfigureAwait(false);
            await counted.PadToEvenLengthAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Counts what the deflater writes so an odd-length bit stream gets its trailing null byte (PS3.5 A.5): DIMSE
    /// receivers such as dcmtk refuse an odd PDV ("Odd Fragment Length").
    /// </summary>
    private sealed class EvenLengthStream(Stream inner) : Stream
    {
        private long _written;

        public void PadToEvenLength()
        {
            if ((_written & 1) != 0) Write([0], 0, 1);
        }

        public async Task PadToEvenLengthAsync(CancellationToken cancellationToken)
        {
            if ((_written & 1) != 0) await WriteAsync(new byte[] { 0 }, cancellationToken).ConfigureAwait(false);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            _written += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
