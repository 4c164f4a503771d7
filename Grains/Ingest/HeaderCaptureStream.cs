using System.Buffers;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Read-only pass-through stream that keeps a copy of the first bytes read (in a pooled buffer), so the header can
/// be parsed after the blob write without reading the blob back. Dispose returns the buffer; it does not dispose
/// the inner stream.
/// </summary>
internal sealed class HeaderCaptureStream : Stream
{
    private readonly Stream _inner;
    private byte[]? _buffer;
    private int _captured;
    private long _position;

    public HeaderCaptureStream(Stream inner, int captureBytes)
    {
        _inner = inner;
        _buffer = ArrayPool<byte>.Shared.Rent(captureBytes);
        Capacity = captureBytes;
    }

    /// <summary>How many bytes may be captured.</summary>
    public int Capacity { get; }

    /// <summary>The captured prefix (valid until disposed).</summary>
    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _captured);

    /// <summary>Total bytes read through this stream.</summary>
    public long BytesRead => _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Capture(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Capture(buffer.Span[..n]);
        return n;
    }

    private void Capture(ReadOnlySpan<byte> read)
    {
        if (_buffer is not null && _captured < Capacity)
        {
            var take = Math.Min(read.Length, Capacity - _captured);
            read[..take].CopyTo(_buffer.AsSpan(_captured));
            _captured += take;
        }

        _position += read.Length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } b)
        {
            _buffer = null;
            _captured = 0;
            ArrayPool<byte>.Shared.Return(b);
        }

        base.Dispose(disposing);
    }
}
