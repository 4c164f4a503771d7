using System.Buffers;
using System.Buffers.Binary;

namespace Mirc.Dicom.Network.Upper;

/// <summary>
/// Writes PDUs to the socket stream; one message at a time (PDVs of two messages must not interleave). P-DATA-TF are
/// built in pooled buffers with the data read straight after the headers, fragmented to the peer's maximum PDU length.
/// </summary>
internal sealed class PduWriter(Stream stream, uint peerMaxPduLength) : IDisposable
{
    private const int PduHeader = 6;
    private const int PdvHeader = 6; // item length (4), context id (1), message control header (1)
    private const uint DefaultMaxPdu = 256 * 1024;
    private const int BatchBytes = 1024 * 1024;
    // A batch's fragments are read with one scattered read (preadv): their count stays under the kernel's iovec limit (1024).
    private const int MaxFragmentsPerBatch = 256;
    // Room in front of a framed data set for its command PDU and the pending responses deferred to ride with it.
    private const int FramedHeadroom = 1024;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Lock _deferredGate = new();
    private byte[]? _deferred; // complete P-DATA-TF PDUs waiting for the next write; guarded by _deferredGate

    /// <summary>Largest PDU length field we send: the peer's maximum (0 = unlimited → our default).</summary>
    public int MaxPduLength { get; } = (int)(peerMaxPduLength == 0 || peerMaxPduLength > 4 * 1024 * 1024 ? DefaultMaxPdu : Math.Max(peerMaxPduLength, 64u));

    private int MaxFragment => MaxPduLength - PdvHeader;

    public async Task WriteRawAsync(ReadOnlyMemory<byte> pdu, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await FlushDeferredAsync(ct).ConfigureAwait(false);
            await stream.WriteAsync(pdu, ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Queues a command-only message to leave in the same socket write as the next message (C-GET pending responses
    /// ride with the next C-STORE-RQ: one write and one wake-up of the peer less per sub-operation). Only for callers
    /// that are about to send another message on this association.
    /// </summary>
    public async Task DeferMessageAsync(byte contextId, ReadOnlyMemory<byte> command, CancellationToken ct)
    {
        if (command.Length > MaxFragment)
        {
            await WriteMessageAsync(contextId, command, default, null, ct).ConfigureAwait(false);
            return;
        }
        var pdu = new byte[PduHeader + PdvHeader + command.Length];
        command.Span.CopyTo(pdu.AsSpan(PduHeader + PdvHeader));
        WriteHeaders(pdu, contextId, isCommand: true, last: true, command.Length);
        // A short lock of its own (not the write semaphore): queuing never waits for a write in progress.
        lock (_deferredGate) _deferred = _deferred is null ? pdu : [.. _deferred, .. pdu];
    }

    private byte[]? TakeDeferred()
    {
        lock (_deferredGate)
        {
            var deferred = _deferred;
            _deferred = null;
            return deferred;
        }
    }

    private async ValueTask FlushDeferredAsync(CancellationToken ct)
    {
        if (TakeDeferred() is { } deferred) await stream.WriteAsync(deferred, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a command and an optional dataset (in memory or streamed) as one DIMSE message.</summary>
    public async Task WriteMessageAsync(byte contextId, ReadOnlyMemory<byte> command, ReadOnlyMemory<byte> dataSet, Stream? dataSetStream, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (dataSetStream is { CanSeek: true } && command.Length <= MaxFragment)
            {
                var deferred = TakeDeferred();
                // Known length (files, memory): many PDUs per socket write, reading overlapped with writing.
                await WriteKnownLengthAsync(contextId, deferred, command, dataSetStream, dataSetStream.Length - dataSetStream.Position, ct).ConfigureAwait(false);
                return;
            }
            await FlushDeferredAsync(ct).ConfigureAwait(false);
            if (dataSetStream is not null && command.Length <= MaxFragment)
            {
                // Command PDU and first dataset PDU leave in one socket write: one segment less per message.
                await WriteStreamFragmentsAsync(contextId, command, dataSetStream, ct).ConfigureAwait(false);
                return;
            }
            await WriteFragmentsAsync(contextId, isCommand: true, command, ct).ConfigureAwait(false);
            if (dataSetStream is not null) await WriteStreamFragmentsAsync(contextId, default, dataSetStream, ct).ConfigureAwait(false);
            else if (!dataSet.IsEmpty) await WriteFragmentsAsync(contextId, isCommand: false, dataSet, ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// Reads a data set of known length that fits one batch into its PDUs now, ahead of its message (a C-GET / C-MOVE
    /// reads the next instance while the peer still answers the current one); null when it is streamed instead (unknown
    /// length, or larger than a batch). Takes no lock: nothing is written to the socket.
    /// </summary>
    public async Task<FramedDataSet?> FrameAsync(byte contextId, Stream source, CancellationToken ct)
    {
        if (!source.CanSeek)
        {
            return null;
        }

        var length = source.Length - source.Position;
        if (length > BatchBytes)
        {
            return null;
        }

        var fragments = (int)FragmentCount(length); // within a batch, checked above
        if (fragments > MaxFragmentsPerBatch)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(FramedHeadroom + fragments * (PduHeader + PdvHeader) + (int)length);
        try
        {
            var remaining = length;
            var slots = new List<Memory<byte>>(fragments);
            var offset = LayOutFragments(buffer, FramedHeadroom, contextId, ref remaining, fragments, slots);
            await ReadSlotsAsync(source, slots, ct).ConfigureAwait(false);
            return new FramedDataSet(buffer, contextId, FramedHeadroom, offset);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Sends a command with a data set framed ahead (<see cref="FrameAsync"/>), in one socket write when the command fits in front of it.</summary>
    public async Task WriteMessageAsync(ReadOnlyMemory<byte> command, FramedDataSet framed, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var deferred = TakeDeferred();
            var commandPdu = PduHeader + PdvHeader + command.Length;
            var start = framed.DataStart - commandPdu - (deferred?.Length ?? 0);
            if (command.Length <= MaxFragment && start >= 0)
            {
                var buffer = framed.Buffer;
                deferred.AsSpan().CopyTo(buffer.AsSpan(start));
                command.Span.CopyTo(buffer.AsSpan(framed.DataStart - command.Length));
                WriteHeaders(buffer.AsSpan(framed.DataStart - commandPdu), framed.ContextId, isCommand: true, last: true, command.Length);
                await stream.WriteAsync(buffer.AsMemory(start, framed.End - start), ct).ConfigureAwait(false);
                return;
            }

            if (deferred is not null) await stream.WriteAsync(deferred, ct).ConfigureAwait(false);
            await WriteFragmentsAsync(framed.ContextId, isCommand: true, command, ct).ConfigureAwait(false);
            await stream.WriteAsync(framed.Buffer.AsMemory(framed.DataStart, framed.End - framed.DataStart), ct).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    private async Task WriteFragmentsAsync(byte contextId, bool isCommand, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PduHeader + PdvHeader + Math.Min(data.Length, MaxFragment));
        try
        {
            var offset = 0;
            do
            {
                var n = Math.Min(data.Length - offset, MaxFragment);
                var last = offset + n == data.Length;
                data.Span.Slice(offset, n).CopyTo(buffer.AsSpan(PduHeader + PdvHeader));
                WriteHeaders(buffer, contextId, isCommand, last, n);
                await stream.WriteAsync(buffer.AsMemory(0, PduHeader + PdvHeader + n), ct).ConfigureAwait(false);
                offset += n;
            } while (offset < data.Length);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// Streams a dataset of known length. The fragments are read from the source straight into their place after
    /// the PDU/PDV headers of a large pooled batch buffer (≈ 1 MiB: one socket write carries many PDUs when the peer's
    /// maximum PDU is small); two batches alternate so the next one is read while the previous one is being sent.
    /// </summary>
    private async Task WriteKnownLengthAsync(byte contextId, byte[]? deferred, ReadOnlyMemory<byte> command, Stream source, long length, CancellationToken ct)
    {
        var slot = PduHeader + PdvHeader + MaxFragment;
        var fragments = FragmentCount(length);
        var slotsPerBatch = (int)Math.Min(fragments, Math.Clamp(BatchBytes / slot, 1, MaxFragmentsPerBatch));
        var prefix = deferred?.Length ?? 0;
        var commandPdu = command.IsEmpty ? 0 : PduHeader + PdvHeader + command.Length;
        var size = prefix + commandPdu + slotsPerBatch * slot;
        var current = ArrayPool<byte>.Shared.Rent(size);
        var next = fragments > slotsPerBatch ? ArrayPool<byte>.Shared.Rent(size) : null;
        var sending = Task.CompletedTask;
        try
        {
            deferred.AsSpan().CopyTo(current);
            var offset = prefix;
            if (commandPdu > 0)
            {
                command.Span.CopyTo(current.AsSpan(offset + PduHeader + PdvHeader));
                WriteHeaders(current.AsSpan(offset), contextId, isCommand: true, last: true, command.Length);
                offset += commandPdu;
            }
            var remaining = length;
            var slots = new List<Memory<byte>>(slotsPerBatch);
            while (true)
            {
                offset = LayOutFragments(current, offset, contextId, ref remaining, slotsPerBatch, slots);
                await ReadSlotsAsync(source, slots, ct).ConfigureAwait(false);
                await sending.ConfigureAwait(false);
                sending = stream.WriteAsync(current.AsMemory(0, offset), ct).AsTask();
                if (remaining == 0) break;
                (current, next) = (next!, current);
                offset = 0;
            }
            await sending.ConfigureAwait(false);
        }
        finally
        {
            // A failed read must not hand a buffer back to the pool while the socket may still be sending from it.
            try { await sending.ConfigureAwait(false); } catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException) { }
            ArrayPool<byte>.Shared.Return(current);
            if (next is not null) ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>Fragments of a data set of <paramref name="length"/> bytes: at least one (an empty one has its empty last fragment).</summary>
    private long FragmentCount(long length) => Math.Max(1, (length + MaxFragment - 1) / MaxFragment);

    /// <summary>
    /// Lays out a batch of data set PDUs in <paramref name="buffer"/> from <paramref name="offset"/>: up to
    /// <paramref name="maxFragments"/> fragments of the <paramref name="remaining"/> bytes (at least one, so an empty data
    /// set still gets its empty last fragment), each with its headers written and its data slot added to
    /// <paramref name="slots"/> (cleared first) for the read. Returns the offset after the last one.
    /// </summary>
    private int LayOutFragments(byte[] buffer, int offset, byte contextId, ref long remaining, int maxFragments, List<Memory<byte>> slots)
    {
        slots.Clear();
        for (var i = 0; i < maxFragments && (i == 0 || remaining > 0); i++)
        {
            var n = (int)Math.Min(MaxFragment, remaining);
            remaining -= n;
            WriteHeaders(buffer.AsSpan(offset), contextId, isCommand: false, last: remaining == 0, n);
            slots.Add(buffer.AsMemory(offset + PduHeader + PdvHeader, n));
            offset += PduHeader + PdvHeader + n;
        }

        return offset;
    }

    /// <summary>
    /// Fills the fragment slots of a batch in order. A file is read with one scattered read (preadv) for the whole
    /// batch — one I/O completion instead of one per fragment; other streams slot by slot.
    /// </summary>
    private static async ValueTask ReadSlotsAsync(Stream source, List<Memory<byte>> slots, CancellationToken ct)
    {
        if (source is FileStream { CanSeek: true } file)
        {
            var start = file.Position;
            long total = 0;
            foreach (var slot in slots) total += slot.Length;
            var read = await RandomAccess.ReadAsync(file.SafeFileHandle, slots, start, ct).ConfigureAwait(false);
            // A short scattered read (rare) is completed slot by slot from where it stopped.
            var position = start + read;
            var skipped = read;
            foreach (var slot in slots)
            {
                if (skipped >= slot.Length)
                {
                    skipped -= slot.Length;
                    continue;
                }
                var rest = slot[(int)skipped..];
                skipped = 0;
                while (!rest.IsEmpty)
                {
                    var n = await RandomAccess.ReadAsync(file.SafeFileHandle, rest, position, ct).ConfigureAwait(false);
                    if (n == 0) throw new EndOfStreamException("stored instance shorter than its length");
                    rest = rest[n..];
                    position += n;
                }
            }
            file.Position = start + total;
            return;
        }
        foreach (var slot in slots) await source.ReadExactlyAsync(slot, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams a dataset of unknown length: two pooled buffers alternate so the "last fragment" bit is known (the next read returned 0)
    /// before a fragment is sent, without buffering the whole dataset.
    /// </summary>
    private async Task WriteStreamFragmentsAsync(byte contextId, ReadOnlyMemory<byte> command, Stream source, CancellationToken ct)
    {
        // The first buffer may carry the whole command P-DATA-TF ahead of the first dataset fragment.
        var commandPdu = command.IsEmpty ? 0 : PduHeader + PdvHeader + command.Length;
        var size = commandPdu + PduHeader + PdvHeader + MaxFragment;
        var current = ArrayPool<byte>.Shared.Rent(size);
        var next = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            if (commandPdu > 0)
            {
                command.Span.CopyTo(current.AsSpan(PduHeader + PdvHeader));
                WriteHeaders(current, contextId, isCommand: true, last: true, command.Length);
            }
            var offset = commandPdu;
            var currentLength = await FillAsync(source, current.AsMemory(offset + PduHeader + PdvHeader, MaxFragment), ct).ConfigureAwait(false);
            while (true)
            {
                var nextLength = currentLength < MaxFragment ? 0
                    : await FillAsync(source, next.AsMemory(PduHeader + PdvHeader, MaxFragment), ct).ConfigureAwait(false);
                var last = nextLength == 0;
                WriteHeaders(current.AsSpan(offset), contextId, isCommand: false, last, currentLength);
                await stream.WriteAsync(current.AsMemory(0, offset + PduHeader + PdvHeader + currentLength), ct).ConfigureAwait(false);
                if (last) break;
                (current, next) = (next, current);
                currentLength = nextLength;
                offset = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private static async ValueTask<int> FillAsync(Stream source, Memory<byte> target, CancellationToken ct)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = await source.ReadAsync(target[total..], ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static void WriteHeaders(Span<byte> buffer, byte contextId, bool isCommand, bool last, int dataLength)
    {
        buffer[0] = (byte)PduType.DataTransfer;
        buffer[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[2..], (uint)(PdvHeader + dataLength));
        BinaryPrimitives.WriteUInt32BigEndian(buffer[6..], (uint)(2 + dataLength));
        buffer[10] = contextId;
        buffer[11] = (byte)((isCommand ? 1 : 0) | (last ? 2 : 0));
    }

    public void Dispose() => _lock.Dispose();
}
