using System.Buffers;

namespace Mirc.Grains.Retrieval;

/// <summary>A read-only, seekable stream over a rented array; disposing returns the array to the pool.</summary>
internal sealed class PooledBufferStream : Stream
{
    private byte[]? _buffer;
    private readonly int _length;
    private int _position;

    public PooledBufferStream(byte[] rented, int length)
    {
        _buffer = rented;
        _length = length;
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));

    public override bool CanRead => _buffer is not null;
    public override bool CanSeek => _buffer is not null;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = (int)Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _length - _position);
        Buffer.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Writes the remaining bytes to <paramref name="destination"/> in one call (no intermediate buffer).</summary>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var start = _position;
        _position = _length;
        await destination.WriteAsync(Buffer.AsMemory(start, _length - start), cancellationToken).ConfigureAwait(false);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } b)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }

        base.Dispose(disposing);
    }
}
