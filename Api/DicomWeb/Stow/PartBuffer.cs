using System.Buffers;
using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>
/// A STOW-RS part held in memory while its ingest runs, in pooled chunks of <see cref="ChunkSize"/> bytes. Not one
/// pooled array: the shared pool rounds a rental up to a power of two, so a 513 KB CT slice took a 1 MB array on the
/// large-object heap, and the pool kept every such array after the load (one per part in flight at its busiest moment:
/// 43 after the benchmark's STOW-RS runs, ~45 MB of the silo's peak working set; bench/README.md, "Ingest, seventeenth
/// pass"). Chunks stay below the large-object heap and waste at most one partial chunk per part.
/// </summary>
internal sealed class PartBuffer : IDisposable
{
    /// <summary>Bytes per chunk (below the large-object threshold of 85,000 bytes).</summary>
    internal const int ChunkSize = 64 * 1024;

    private readonly List<byte[]> _chunks = [];

    /// <summary>Bytes held.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Reads <paramref name="body"/> until its end (<c>Complete</c>) or until <paramref name="limit"/> bytes are held (not
    /// complete: the part is larger, and the buffer holds its first <paramref name="limit"/> bytes).
    /// </summary>
    public static async Task<(PartBuffer Buffer, bool Complete)> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new PartBuffer();
        try
        {
            while (buffer.Length < limit)
            {
                var offset = buffer.Length % ChunkSize;
                if (offset == 0)
                {
                    buffer._chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                }

                var room = Math.Min(ChunkSize - offset, limit - buffer.Length);
                var read = await body.ReadAsync(buffer._chunks[^1].AsMemory(offset, room), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, true);
                }

                buffer.Length += read;
            }

            return (buffer, false);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>A forward-only stream of the bytes held, then of <paramref name="rest"/> when given (not disposed by it).</summary>
    public Stream OpenRead(Stream? rest = null) => new Reader(this, rest);

    /// <summary>The bytes held, in one array (for the rare reader that needs them contiguous: a failed part's UIDs).</summary>
    public byte[] ToArray()
    {
        var copy = new byte[Length];
        var copied = 0;
        foreach (var chunk in _chunks)
        {
            var n = Math.Min(ChunkSize, Length - copied);
            chunk.AsSpan(0, n).CopyTo(copy.AsSpan(copied));
            copied += n;
        }

        return copy;
    }

    /// <summary>Gives the chunks back to the pool; the buffer is empty afterwards.</summary>
    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        Length = 0;
    }

    private sealed class Reader(PartBuffer buffer, Stream? rest) : ForwardReadStream
    {
        private int _position;

        public override int Read(Span<byte> destination)
        {
            var n = Take(destination);
            n = n > 0 ? n : rest?.Read(destination) ?? 0;
            BytesRead += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            var n = Take(destination.Span);
            if (n == 0 && rest is not null) n = await rest.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            BytesRead += n;
            return n;
        }

        // Fills as much of the destination as the held bytes allow, across chunk boundaries.
        private int Take(Span<byte> destination)
        {
            var taken = 0;
            while (taken < destination.Length && _position < buffer.Length)
            {
                var offset = _position % ChunkSize;
                var n = Math.Min(Math.Min(ChunkSize - offset, buffer.Length - _position), destination.Length - taken);
                buffer._chunks[_position / ChunkSize].AsSpan(offset, n).CopyTo(destination[taken..]);
                _position += n;
                taken += n;
            }

            return taken;
        }
    }
}
