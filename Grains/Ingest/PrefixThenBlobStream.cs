using Mirc.Dicom;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Read-only stream over a stored blob whose first bytes are already in memory: serves the prefix, and opens a
/// range read of the blob from the end of the prefix only if the reader goes further (encapsulated pixel data,
/// unusually large headers). Most native instances are parsed without touching the blob again. Read asynchronously:
/// a synchronous read past the prefix is refused (it would block on the blob's opening).
/// </summary>
internal sealed class PrefixThenBlobStream(ReadOnlyMemory<byte> prefix, IBlobStore blobs, BlobKey key, long length) : ForwardReadStream
{
    private Stream? _rest;

    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        if (BytesRead < prefix.Length)
        {
            return ReadPrefix(buffer);
        }

        if (BytesRead >= length)
        {
            return 0;
        }

        var rest = _rest ?? throw new NotSupportedException("Synchronous read past the captured prefix: read asynchronously.");
        var n = rest.Read(buffer);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (BytesRead < prefix.Length)
        {
            return ReadPrefix(buffer.Span);
        }

        if (BytesRead >= length)
        {
            return 0;
        }

        _rest ??= await blobs.OpenReadAsync(key, new BlobRange(prefix.Length), cancellationToken).ConfigureAwait(false);
        var n = await _rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesRead += n;
        return n;
    }

    private int ReadPrefix(Span<byte> buffer)
    {
        var take = (int)Math.Min(buffer.Length, prefix.Length - BytesRead);
        prefix.Span.Slice((int)BytesRead, take).CopyTo(buffer);
        BytesRead += take;
        return take;
    }

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
