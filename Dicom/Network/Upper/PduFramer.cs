using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Mirc.Dicom.Network.Upper;

/// <summary>
/// Cuts PDUs out of the incoming byte stream. The length field is checked against a maximum before anything is
/// buffered, so an absurd length aborts the association instead of allocating it.
/// </summary>
internal sealed class PduFramer(PipeReader reader)
{
    private SequencePosition? _consumed;

    /// <summary>Reads the next complete PDU; null when the peer closed the connection cleanly between PDUs.</summary>
    /// <param name="maxBodyLength">Largest accepted PDU length field.</param>
    /// <param name="ct">Cancelled on timeout or shutdown.</param>
    public async ValueTask<RawPdu?> ReadAsync(uint maxBodyLength, CancellationToken ct)
    {
        ReleasePrevious();
        while (true)
        {
            var result = await reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 6)
            {
                var (type, length) = ReadHeader(buffer);
                if (type is < (byte)PduType.AssociateRequest or > (byte)PduType.Abort)
                    throw new DicomProtocolException($"unknown PDU type 0x{type:X2}");
                if (length > maxBodyLength)
                    throw new DicomProtocolException($"PDU type 0x{type:X2} length {length} exceeds the maximum {maxBodyLength}");
                if (buffer.Length >= 6 + length)
                {
                    var pdu = buffer.Slice(0, 6 + length);
                    _consumed = pdu.End;
                    return new RawPdu((PduType)type, pdu.Slice(6));
                }
            }
            if (result.IsCompleted)
            {
                if (buffer.IsEmpty) return null;
                throw new DicomProtocolException($"connection closed inside a PDU ({buffer.Length} bytes pending)");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (byte Type, uint Length) ReadHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[6];
        buffer.Slice(0, 6).CopyTo(header);
        return (header[0], BinaryPrimitives.ReadUInt32BigEndian(header[2..]));
    }

    /// <summary>Marks the last returned PDU as consumed (its body memory becomes invalid).</summary>
    public void ReleasePrevious()
    {
        if (_consumed is { } position)
        {
            reader.AdvanceTo(position);
            _consumed = null;
        }
    }
}
