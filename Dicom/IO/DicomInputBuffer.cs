using System.Buffers;

namespace Mirc.Dicom;

/// <summary>
/// Read-ahead buffer over a stream (seekable or not) that tracks absolute offsets. Bytes handed out as element values
/// are never overwritten: growing or refilling moves the unconsumed tail into a new array.
/// </summary>
internal sealed class DicomInputBuffer
{
    private readonly Stream? stream;
    private readonly int blockSize;
    private byte[] buffer;
    private int start;
    private int end;
    private long bufferBase;

    public DicomInputBuffer(Stream stream, int blockSize, int initialSize)
    {
        this.stream = stream;
        this.blockSize = Math.Max(512, blockSize);
        // Uninitialised: every byte is written by the stream before it is read.
        buffer = GC.AllocateUninitializedArray<byte>(Math.Max(512, initialSize));
    }

    public DicomInputBuffer(ReadOnlyMemory<byte> data)
    {
        blockSize = 0;
        buffer = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var seg) && seg.Array is not null && seg.Offset == 0
            ? seg.Array
            : data.ToArray();
        end = data.Length;
        IsEndOfStream = true;
    }

    /// <summary>True when the stream has no more bytes.</summary>
    public bool IsEndOfStream { get; private set; }

    /// <summary>Unconsumed bytes.</summary>
    public ReadOnlyMemory<byte> Available => buffer.AsMemory(start, end - start);

    /// <summary>Absolute offset of the first unconsumed byte.</summary>
    public long Position => bufferBase + start;

    /// <summary>Bytes taken from the stream so far.</summary>
    public long BytesRead => bufferBase + end;

    /// <summary>The stream when reading from one.</summary>
    public Stream? Stream => stream;

    public void Advance(int count) => start += count;

    /// <summary>Ensures <paramref name="count"/> unconsumed bytes are buffered; false if the stream ends first.</summary>
    public async ValueTask<bool> EnsureAsync(long count, CancellationToken ct)
    {
        while (end - start < count)
        {
            if (IsEndOfStream || stream is null)
            {
                IsEndOfStream = true;
                return false;
            }
            int buffered = end - start;
            if (stream.CanSeek && count - buffered > stream.Length - stream.Position)
            {
                // The declared length runs past the end of the stream: fail now rather than buffer what cannot complete.
                IsEndOfStream = true;
                return false;
            }
            if (buffer.Length - end < Math.Min(count - buffered, blockSize) || buffer.Length - start < count && buffer.Length == end)
            {
                // Grow geometrically with what actually arrives: a huge declared length never causes a huge allocation.
                long grow = Math.Min(count - buffered, Math.Max(blockSize, buffered));
                long size = Math.Min(buffered + Math.Max(grow, blockSize), Array.MaxLength);
                if (size <= buffered) throw new DicomFormatException($"an element of {count} bytes cannot be buffered (offset {Position})");
                var next = GC.AllocateUninitializedArray<byte>((int)size);
                buffer.AsSpan(start, buffered).CopyTo(next);
                bufferBase += start;
                end = buffered;
                start = 0;
                buffer = next;
            }
            int n = await stream.ReadAsync(buffer.AsMemory(end, buffer.Length - end), ct).ConfigureAwait(false);
            if (n == 0) IsEndOfStream = true;
            end += n;
        }
        return true;
    }

    /// <summary>Skips <paramref name="count"/> bytes (seeking when possible, else reading and discarding).</summary>
    public async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        int inBuffer = (int)Math.Min(count, end - start);
        start += inBuffer;
        count -= inBuffer;
        if (count == 0) return;
        if (stream is null) throw new DicomFormatException($"input ends {count} bytes before the end of a skipped value (offset {Position})");
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (count > remaining) throw new DicomFormatException($"input ends {count - remaining} bytes before the end of a skipped value (offset {Position + remaining})");
            stream.Seek(count, SeekOrigin.Current);
        }
        else
        {
            var scratch = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                long left = count;
                while (left > 0)
                {
                    int n = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(left, scratch.Length)), ct).ConfigureAwait(false);
                    if (n == 0) throw new DicomFormatException($"input ends {left} bytes before the end of a skipped value (offset {Position + count - left})");
                    left -= n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        // Keep already handed-out bytes intact: only the mapping from buffer index to absolute offset moves.
        bufferBase += count;
    }

    /// <summary>A stream that yields the unconsumed buffered bytes, then the rest of the underlying stream.</summary>
    public Stream RemainderAsStream()
    {
        var prefix = Available;
        start = end;
        return new PrefixedReadStream(prefix, stream);
    }
}
