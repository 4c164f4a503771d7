using Mirc.Dicom;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>Read-only view of at most <c>length</c> bytes of an inner stream (range reads); owns the inner stream.</summary>
internal sealed class LengthLimitedReadStream(Stream inner, long length) : ForwardReadStream
{
    public override long Length => length;

    public override int Read(Span<byte> buffer)
    {
        if (BytesRead >= length)
        {
            return 0;
        }

        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - BytesRead)]);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (BytesRead >= length)
        {
            return 0;
        }

        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - BytesRead)], cancellationToken).ConfigureAwait(false);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}
