using System.Buffers;
using Mirc.Dicom;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Read-only pass-through stream that keeps a copy of the first bytes read (in a pooled buffer), so the header can
/// be parsed after the blob write without reading the blob back — or, filled first (<see cref="FillAsync(CancellationToken)"/>), before
/// the write, which then reads the captured bytes again followed by the rest. Dispose returns the buffer; it does not
/// dispose the inner stream.
/// </summary>
internal sealed class HeaderCaptureStream : ForwardReadStream
{
    private readonly Stream _inner;
    private byte[]? _buffer;
    private int _captured;
    private int _served;
    private bool _ended;

    public HeaderCaptureStream(Stream inner, int captureBytes)
    {
        _inner = inner;
        _buffer = ArrayPool<byte>.Shared.Rent(captureBytes);
        Capacity = captureBytes;
    }

    /// <summary>How many bytes may be captured.</summary>
    public int Capacity { get; private set; }

    /// <summary>The captured prefix (valid until disposed).</summary>
    public ReadOnlyMemory<byte> Captured => _buffer.AsMemory(0, _captured);

    /// <summary>
    /// Captures up to <see cref="Capacity"/> bytes before anything is read through the stream; true when the content
    /// ended within them (then <see cref="Captured"/> is all of it).
    /// </summary>
    public ValueTask<bool> FillAsync(CancellationToken cancellationToken) => FillAsync(Capacity, cancellationToken);

    /// <summary>
    /// As <see cref="FillAsync(CancellationToken)"/>, with <see cref="Capacity"/> raised to <paramref name="captureBytes"/>
    /// first (the bytes captured so far kept): a header longer than the first capture (a Siemens MR's private CSA headers,
    /// 100–200 KB, come before its last attributes) is then parsed before the write too.
    /// </summary>
    public async ValueTask<bool> FillAsync(int captureBytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (BytesRead > 0)
        {
            throw new InvalidOperationException("The stream has been read from already.");
        }

        if (captureBytes > Capacity)
        {
            var larger = ArrayPool<byte>.Shared.Rent(captureBytes);
            _buffer.AsSpan(0, _captured).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            Capacity = captureBytes;
        }

        while (_captured < Capacity && !_ended)
        {
            var n = await _inner.ReadAsync(_buffer.AsMemory(_captured, Capacity - _captured), cancellationToken).ConfigureAwait(false);
            _captured += n;
            _ended = n == 0;
        }

        return _ended;
    }

    public override int Read(Span<byte> buffer)
    {
        if (TryServeCaptured(buffer, out var served))
        {
            return served;
        }

        var n = _ended ? 0 : _inner.Read(buffer);
        Capture(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryServeCaptured(buffer.Span, out var served))
        {
            return served;
        }

        var n = _ended ? 0 : await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Capture(buffer.Span[..n]);
        return n;
    }

    /// <summary>Bytes captured by <see cref="FillAsync(CancellationToken)"/> and not read through the stream yet go first.</summary>
    private bool TryServeCaptured(Span<byte> buffer, out int served)
    {
        served = Math.Min(buffer.Length, _captured - _served);
        if (served <= 0 || _buffer is null)
        {
            return false;
        }

        _buffer.AsSpan(_served, served).CopyTo(buffer);
        _served += served;
        BytesRead += served;
        return true;
    }

    private void Capture(ReadOnlySpan<byte> read)
    {
        if (_buffer is not null && _captured < Capacity)
        {
            var take = Math.Min(read.Length, Capacity - _captured);
            read[..take].CopyTo(_buffer.AsSpan(_captured));
            _captured += take;
            _served = _captured;
        }

        BytesRead += read.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } b)
        {
            _buffer = null;
            _captured = 0;
            _served = 0;
            ArrayPool<byte>.Shared.Return(b);
        }

        base.Dispose(disposing);
    }
}
