using System.Buffers;
using Mirc.Dicom;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Read-only pass-through stream that keeps a copy of the first bytes read (in a pooled buffer), so the header can
/// be parsed after the blob write without reading the blob back. Dispose returns the buffer; it does not dispose
/// the inner stream.
/// </summary>
internal sealed class HeaderCaptureStream : ForwardReadStream
{
    private readonly Stream _inner;
    private byte[]? _buffer;
    private int _captured;

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

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Capture(buffer[..n]);
        return n;
    }

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

        BytesRead += read.Length;
    }

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
