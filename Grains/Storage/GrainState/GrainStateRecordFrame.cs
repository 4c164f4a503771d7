using System.Buffers.Binary;
using System.IO.Hashing;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// The form of a grain-state record written by <see cref="BlobGrainStorage"/>: a 20-byte header — <c>MIRCGS01</c>,
/// the payload's length (uint32, little-endian), its XXH3 64-bit hash — then Orleans' serialized state.
/// </summary>
/// <remarks>
/// The check is what lets a new record be written in place at its own name with one durability round: a crash during
/// that write can leave the name holding a short, zeroed or stale-block file, which fails the check and is read as never
/// written (it was never acknowledged). Without it the record must go through a temporary file whose data is made durable
/// before a rename publishes it, and the rename made durable in turn: two rounds.
/// </remarks>
internal static class GrainStateRecordFrame
{
    private const int HeaderLength = 20;

    private static ReadOnlySpan<byte> Magic => "MIRCGS01"u8;

    /// <summary>The record holding <paramref name="payload"/>.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> payload)
    {
        var record = new byte[HeaderLength + payload.Length];
        Magic.CopyTo(record);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(12), XxHash3.HashToUInt64(payload));
        payload.CopyTo(record.AsSpan(HeaderLength));
        return record;
    }

    /// <summary>The payload of a complete record; false for anything else (torn, truncated, another format).</summary>
    public static bool TryUnwrap(ReadOnlyMemory<byte> record, out ReadOnlyMemory<byte> payload)
    {
        payload = default;
        var span = record.Span;
        if (span.Length < HeaderLength
            || !span[..Magic.Length].SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(span[8..]) != (uint)(span.Length - HeaderLength)
            || BinaryPrimitives.ReadUInt64LittleEndian(span[12..]) != XxHash3.HashToUInt64(span[HeaderLength..]))
        {
            return false;
        }

        payload = record[HeaderLength..];
        return true;
    }
}
