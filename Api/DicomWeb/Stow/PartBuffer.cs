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
    public Stream OpenRead(Stream? rest = null) => new PrefixedReadStream(AsSequence(), rest);

    /// <summary>The bytes held, in one array (for the rare reader that needs them contiguous: a failed part's UIDs).</summary>
    public byte[] ToArray() => AsSequence().ToArray();

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

    // The chunks as one sequence (each chunk's filled part), built when read: once per part.
    private ReadOnlySequence<byte> AsSequence()
    {
        if (Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Chunk(_chunks[0].AsMemory(0, Math.Min(ChunkSize, Length)), 0);
        var last = first;
        for (var i = 1; i < _chunks.Count; i++)
        {
            last = last.Append(_chunks[i].AsMemory(0, Math.Min(ChunkSize, Length - (i * ChunkSize))));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Chunk Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Chunk(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
