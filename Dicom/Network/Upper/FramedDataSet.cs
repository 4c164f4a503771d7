using System.Buffers;

namespace Mirc.Dicom.Network.Upper;

/// <summary>
/// A data set already cut into its P-DATA-TF PDUs for one association, in one pooled buffer, with room left in front
/// for the message's command PDU (and PDUs waiting to leave with it): <see cref="PduWriter.FrameAsync"/> reads it ahead
/// of its message, so sending it is a single socket write. Dispose returns the buffer.
/// </summary>
internal sealed class FramedDataSet(byte[] buffer, byte contextId, int dataStart, int end) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The presentation context written in the PDV headers.</summary>
    public byte ContextId => contextId;

    /// <summary>Offset of the first data set PDU; everything before it is free for the command.</summary>
    public int DataStart => dataStart;

    /// <summary>Offset just past the last PDU.</summary>
    public int End => end;

    /// <summary>The buffer (valid until disposed).</summary>
    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(FramedDataSet));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
