using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Read-only stream over a stored blob whose first bytes are already in memory: serves the prefix, and opens a
/// range read of the blob from the end of the prefix only if the reader goes further (encapsulated pixel data,
/// unusually large headers). Most native instances are parsed without touching the blob again.
/// </summary>
internal sealed class PrefixThenBlobStream : Stream
{
    private readonly ReadOnlyMemory<byte> _prefix;
    private readonly IBlobStore _blobs;
    private readonly BlobKey _key;
    private readonly long _length;
    private Stream? _rest;
    private long _position;

    public PrefixThenBlobStream(ReadOnlyMemory<byte> prefix, IBlobStore blobs, BlobKey key, long length)
    {
        _prefix = prefix;
        _blobs = blobs;
        _key = key;
        _length = length;
    }

    /// <summary>Whether the blob had to be read.</summary>
    public bool ReadBlob => _rest is not null;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < _prefix.Length)
        {
            return ReadPrefix(buffer);
        }

        if (_position >= _length)
        {
            return 0;
        }

        var rest = _rest ?? throw new NotSupportedException("Synchronous read past the captured prefix: call OpenRestAsync first.");
        var n = rest.Read(buffer);
        _position += n;
        return n;
    }

    /// <summary>Opens the blob range after the prefix ahead of time, for synchronous readers.</summary>
    public async Task OpenRestAsync(CancellationToken cancellationToken)
    {
        if (_rest is null && _length > _prefix.Length)
        {
            _rest = await _blobs.OpenReadAsync(_key, new BlobRange(_prefix.Length), cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < _prefix.Length)
        {
            return ReadPrefix(buffer.Span);
        }

        if (_position >= _length)
        {
            return 0;
        }

        _rest ??= await _blobs.OpenReadAsync(_key, new BlobRange(_prefix.Length), cancellationToken).ConfigureAwait(false);
        var n = await _rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    private int ReadPrefix(Span<byte> buffer)
    {
        var take = (int)Math.Min(buffer.Length, _prefix.Length - _position);
        _prefix.Span.Slice((int)_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rest?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_rest is not null)
        {
            await _rest.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
