namespace Mirc.Dicom;

/// <summary>
/// Base of the forward-only read streams: reading is all they do (length, seeking and writing are refused), the array
/// overloads go to the span and memory ones, and <see cref="Position"/> is the count of bytes read so far, which the
/// derived stream keeps in <see cref="BytesRead"/>.
/// </summary>
public abstract class ForwardReadStream : Stream
{
    /// <summary>Bytes read through this stream so far.</summary>
    public long BytesRead { get; protected set; }

    /// <inheritdoc />
    public sealed override bool CanRead => true;

    /// <inheritdoc />
    public sealed override bool CanSeek => false;

    /// <inheritdoc />
    public sealed override bool CanWrite => false;

    /// <summary>Unknown unless the derived stream knows it (a range, a blob of known size): not supported by default.</summary>
    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes read so far (setting it is not supported).</summary>
    public sealed override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public abstract override int Read(Span<byte> buffer);

    /// <inheritdoc />
    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public sealed override void Flush()
    {
    }

    /// <inheritdoc />
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public sealed override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
