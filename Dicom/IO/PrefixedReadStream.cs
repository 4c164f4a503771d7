namespace Mirc.Dicom;

/// <summary>
/// Forward-only read stream: bytes already in memory (read ahead to sniff a header, or built in front of a data set),
/// then the rest of an optional inner stream, which it does not dispose.
/// </summary>
public sealed class PrefixedReadStream(ReadOnlyMemory<byte> prefix, Stream? inner) : ForwardReadStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

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
        var n = Math.Min(buffer.Length, _prefix.Length);
        if (n == 0) return 0;
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }
}
