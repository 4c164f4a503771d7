namespace Mirc.Grains.Tests.Storage;

/// <summary>
/// A non-seekable source (like a network stream) handing out chunks of at most <paramref name="chunk"/> bytes, optionally
/// failing midway — after running <paramref name="beforeFailing"/> (what else happens meanwhile), once.
/// </summary>
internal sealed class ForwardOnlyStream(byte[] content, int failAfter = -1, int chunk = 65_521, Action? beforeFailing = null) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (failAfter >= 0 && _position >= failAfter)
        {
            Interlocked.Exchange(ref beforeFailing, null)?.Invoke();
            throw new IOException("Simulated connection reset.");
        }

        var n = Math.Min(Math.Min(buffer.Length, chunk), content.Length - _position);
        content.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
