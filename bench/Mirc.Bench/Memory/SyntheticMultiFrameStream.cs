using System.Buffers.Binary;
using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;
using Mirc.Dicom;

namespace Mirc.Bench.Memory;

/// <summary>
/// A read-only Part 10 file of a multi-frame instance computed while it is read: preamble, meta group and header, the
/// Pixel Data element with its full declared length, then each frame's bytes generated on demand. Only the header and one
/// frame-sized pattern are held, so instances larger than any .NET array can be sent. Seekable, so readers may restart.
/// </summary>
public sealed class SyntheticMultiFrameStream : Stream
{
    // Pixel Data (7FE0,0010) OB, 2 reserved bytes, then the 32-bit value length.
    private const int PixelDataHeaderLength = 12;

    private readonly byte[] _header;
    private readonly byte[] _pattern;
    private readonly long _frameBytes;
    private readonly long _length;
    private long _position;

    /// <summary>Prepares the header of <paramref name="spec"/>; no pixel byte is computed before it is read.</summary>
    public SyntheticMultiFrameStream(StreamedMultiFrameSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.PixelDataLength > StreamedMultiFrameSpec.MaxPixelDataLength || spec.FrameBytes % 2 != 0 || spec.Frames < 1)
        {
            throw new ArgumentException("pixel data must be whole even-sized frames within a 32-bit length", nameof(spec));
        }

        Spec = spec;
        _frameBytes = spec.FrameBytes;
        var head = DicomFileWriter.Write(new DicomFile(Header(spec), DicomTransferSyntax.ExplicitVRLittleEndian));
        _header = new byte[head.Length + PixelDataHeaderLength];
        head.CopyTo(_header, 0);
        var element = _header.AsSpan(head.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(element, 0x7FE0);
        BinaryPrimitives.WriteUInt16LittleEndian(element[2..], 0x0010);
        "OB"u8.CopyTo(element[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(element[8..], (uint)spec.PixelDataLength);
        _length = _header.Length + spec.PixelDataLength;
        DatasetOffset = Part10Layout.DatasetOffset(head);

        // pattern[k] = k mod 256: frame f is the window starting at 3f mod 256, so consecutive frames differ everywhere.
        _pattern = new byte[checked((int)_frameBytes + 256)];
        for (var i = 0; i < _pattern.Length; i++) _pattern[i] = (byte)i;
    }

    /// <summary>The instance this stream produces.</summary>
    public StreamedMultiFrameSpec Spec { get; }

    /// <summary>Where the data set starts (after preamble and meta group): what a C-STORE sends is <see cref="Length"/> minus this.</summary>
    public int DatasetOffset { get; }

    /// <summary>Bytes before the first pixel byte (preamble, meta group, data set header, Pixel Data element header).</summary>
    public int HeaderLength => _header.Length;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <summary>
    /// The byte at <paramref name="index"/> of frame <paramref name="frame"/>: its first 4 bytes hold the frame number
    /// (little endian), the others (index + 3 × frame) mod 256.
    /// </summary>
    public static byte PixelAt(long frame, long index) =>
        index < 4 ? (byte)((uint)frame >> (int)(8 * index)) : (byte)(index + 3 * frame);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < _length)
        {
            int n;
            if (_position < _header.Length)
            {
                n = Math.Min(buffer.Length, _header.Length - (int)_position);
                _header.AsSpan((int)_position, n).CopyTo(buffer);
            }
            else
            {
                var pixel = _position - _header.Length;
                var frame = pixel / _frameBytes;
                var within = (int)(pixel % _frameBytes);
                n = (int)Math.Min(buffer.Length, _frameBytes - within);
                FillFrame(frame, within, buffer[..n]);
            }

            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void FillFrame(long frame, int within, Span<byte> destination)
    {
        _pattern.AsSpan(within + (int)(frame * 3 % 256), destination.Length).CopyTo(destination);
        for (var i = within; i < 4 && i - within < destination.Length; i++) destination[i - within] = PixelAt(frame, i);
    }

    private static DicomDataset Header(StreamedMultiFrameSpec spec) =>
        // ISO_IR 192 first, so the accented names below are UTF-8.
        new DicomDataset()
            .Set(DicomTag.SpecificCharacterSet, "ISO_IR 192")
            .Set(DicomTag.ImageType, DicomVR.CS, ["ORIGINAL", "PRIMARY"])
            .Set(DicomTag.SOPClassUID, SyntheticSeriesSpec.XaImageStorage)
            .Set(DicomTag.SOPInstanceUID, spec.SopInstanceUid)
            .Set(DicomTag.StudyDate, "20260115")
            .Set(DicomTag.StudyTime, "101500")
            .Set(DicomTag.AccessionNumber, "MEM" + spec.StudyUid[Math.Max(0, spec.StudyUid.Length - 8)..])
            .Set(DicomTag.Modality, "XA")
            .Set(DicomTag.StudyDescription, "Bench mémoire multi-frame")
            .Set(DicomTag.PatientName, "MÉMOIRE^Zoé")
            .Set(DicomTag.PatientID, spec.PatientId)
            .Set(DicomTag.PatientBirthDate, "19700101")
            .Set(DicomTag.PatientSex, "F")
            .Set(DicomTag.StudyInstanceUID, spec.StudyUid)
            .Set(DicomTag.SeriesInstanceUID, spec.SeriesUid)
            .Set(DicomTag.StudyID, "1")
            .Set(DicomTag.SeriesNumber, 1)
            .Set(DicomTag.InstanceNumber, 1)
            .Set(DicomTag.SamplesPerPixel, 1)
            .Set(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Set(DicomTag.NumberOfFrames, spec.Frames)
            .Set(DicomTag.Rows, spec.Rows)
            .Set(DicomTag.Columns, spec.Columns)
            .Set(DicomTag.BitsAllocated, 8)
            .Set(DicomTag.BitsStored, 8)
            .Set(DicomTag.HighBit, 7)
            .Set(DicomTag.PixelRepresentation, 0);
}
