using System.Buffers.Binary;

namespace Mirc.Dicom.PixelData;

/// <summary>
/// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per byte plane
/// (for each sample, most significant byte first), each row encoded on its own.
/// </summary>
public sealed class RleCodec : PixelFrameCodec
{
    private const int HeaderLength = 64;

    /// <inheritdoc/>
    public override string TransferSyntaxUid => DicomUids.RLELossless;

    /// <inheritdoc/>
    public override bool CanEncode => true;

    /// <inheritdoc/>
    public override int MaxBitsAllocated => 32;

    /// <inheritdoc/>
    protected override DecodedFrameFormat DecodeFrame(ReadOnlySpan<byte> frame, FrameGeometry geometry, Span<byte> destination)
    {
        if (frame.Length < HeaderLength) throw new DicomFormatException("RLE frame shorter than its 64-byte header");
        int bytes = geometry.BytesPerSample, samples = geometry.SamplesPerPixel, pixels = geometry.Rows * geometry.Columns;
        int segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (segments != bytes * samples)
            throw new DicomFormatException($"RLE header has {segments} segments, the pixel module needs {bytes * samples}");
        for (int s = 0; s < segments; s++)
        {
            int start = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 4 * s)..]);
            int end = s + 1 < segments ? (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[(8 + 4 * s)..]) : frame.Length;
            if (start < HeaderLength || end > frame.Length || end < start) throw new DicomFormatException($"RLE segment {s} offsets out of range");
            int sample = s / bytes, significance = bytes - 1 - s % bytes; // segment 0 of a sample = most significant byte
            // Native layout: interleaved (or planar) samples, little endian: where byte k of pixel p goes.
            int offset, stride;
            if (geometry.IsPlanar) { offset = sample * pixels * bytes + significance; stride = bytes; }
            else { offset = sample * bytes + significance; stride = samples * bytes; }
            UnpackBits(frame[start..end], destination, offset, stride, pixels, s);
        }
        return new DecodedFrameFormat(geometry.Photometric, geometry.IsPlanar);
    }

    private static void UnpackBits(ReadOnlySpan<byte> segment, Span<byte> destination, int offset, int stride, int count, int index)
    {
        int produced = 0, i = 0;
        while (produced < count && i < segment.Length)
        {
            int n = (sbyte)segment[i++];
            if (n >= 0)
            {
                int run = Math.Min(n + 1, count - produced);
                if (i + run > segment.Length) throw new DicomFormatException($"RLE segment {index} ends inside a literal run");
                for (int k = 0; k < run; k++) destination[offset + (produced++) * stride] = segment[i + k];
                i += n + 1;
            }
            else if (n != -128)
            {
                if (i >= segment.Length) throw new DicomFormatException($"RLE segment {index} ends inside a replicate run");
                byte value = segment[i++];
                int run = Math.Min(1 - n, count - produced);
                for (int k = 0; k < run; k++) destination[offset + (produced++) * stride] = value;
            }
        }
        if (produced < count) throw new DicomFormatException($"RLE segment {index} holds {produced} of {count} bytes");
    }

    /// <inheritdoc/>
    protected override byte[] EncodeFrame(ReadOnlySpan<byte> nativeFrame, FrameGeometry geometry)
    {
        int bytes = geometry.BytesPerSample, samples = geometry.SamplesPerPixel, pixels = geometry.Rows * geometry.Columns;
        int segments = bytes * samples;
        if (segments > 15) throw new NotSupportedException("RLE holds at most 15 segments");
        RequireSize(nativeFrame.Length, geometry.FrameLength, "RLE encode input");
        using var output = new MemoryStream(nativeFrame.Length / 2 + HeaderLength);
        output.Write(new byte[HeaderLength]);
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)segments);
        var row = new byte[geometry.Columns];
        for (int s = 0; s < segments; s++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + 4 * s), (uint)output.Position);
            int sample = s / bytes, significance = bytes - 1 - s % bytes;
            int offset = geometry.IsPlanar ? sample * pixels * bytes + significance : sample * bytes + significance;
            int stride = geometry.IsPlanar ? bytes : samples * bytes;
            for (int y = 0; y < geometry.Rows; y++)
            {
                for (int x = 0; x < row.Length; x++) row[x] = nativeFrame[offset + (y * geometry.Columns + x) * stride];
                PackBits(row, output);
            }
            if ((output.Length & 1) == 1) output.WriteByte(0);
        }
        var result = output.ToArray();
        header.CopyTo(result, 0);
        return result;
    }

    private static void PackBits(ReadOnlySpan<byte> row, Stream output)
    {
        int i = 0;
        while (i < row.Length)
        {
            int run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i]) run++;
            if (run >= 2)
            {
                output.WriteByte((byte)(sbyte)(1 - run));
                output.WriteByte(row[i]);
                i += run;
                continue;
            }
            // Literal run up to the next pair of equal bytes.
            int start = i;
            while (i < row.Length && i - start < 128 && !(i + 1 < row.Length && row[i] == row[i + 1])) i++;
            output.WriteByte((byte)(i - start - 1));
            output.Write(row[start..i]);
        }
    }
}
