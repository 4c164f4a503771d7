using System.Buffers;

namespace Mirc.Dicom;

/// <summary>
/// Forward-only read stream: bytes already in memory (read ahead to sniff a header, built in front of a data set, or
/// held in chunks), then the rest of an optional inner stream, which it does not dispose.
/// </summary>
public sealed class PrefixedReadStream(ReadOnlySequence<byte> prefix, Stream? inner) : ForwardReadStream
{
    private ReadOnlySequence<byte> _prefix = prefix;

    /// <summary>Creates the stream over one contiguous prefix.</summary>
    public PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream? inner)
        : this(new ReadOnlySequence<byte>(prefix), inner)
    {
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var n = TakePrefix(buffer);
        if (n == 0) n = inner?.Read(buffer) ?? 0;
        BytesRead += n;
        return n;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = TakePrefix(buffer.Span);
        if (n == 0 && inner is not null) n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesRead += n;
        return n;
    }

    private int TakePrefix(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _prefix.Length);
        if (n == 0) return 0;
        _prefix.Slice(0, n).CopyTo(buffer);
        _prefix = _prefix.Slice(n);
        return n;
    }
}
