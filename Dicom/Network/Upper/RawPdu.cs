using System.Buffers;

namespace Mirc.Dicom.Network.Upper;

/// <summary>One framed PDU: its type and body (the bytes after the 6-byte header), valid until the next read.</summary>
internal readonly record struct RawPdu(PduType Type, ReadOnlySequence<byte> Body)
{
    /// <summary>Copies a small body (association PDUs) to a contiguous array.</summary>
    public byte[] ToArray() => Body.ToArray();
}
