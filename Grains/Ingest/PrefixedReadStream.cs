namespace Mirc.Grains.Ingest;

/// <summary>Read-only stream serving an in-memory prefix, then the inner stream (which it does not dispose).</summary>
internal sealed class PrefixedReadStream : Stream
{
    private readonly ReadOnlyMemory<byte> _prefix;
    private readonly Stream _inner;
    private int _prefixRead;
    private long _position;

    public PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream inner)
    {
        _prefix = prefix;
        _inner = inner;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = ReadPrefix(buffer);
        if (n == 0)
        {
            n = _inner.Read(buffer);
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = ReadPrefix(buffer.Span);
        if (n == 0)
        {
            n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        _position += n;
        return n;
    }

    private int ReadPrefix(Span<byte> buffer)
    {
        var take = Math.Min(buffer.Length, _prefix.Length - _prefixRead);
        if (take <= 0)
        {
            return 0;
        }

        _prefix.Span.Slice(_prefixRead, take).CopyTo(buffer);
        _prefixRead += take;
        return take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
