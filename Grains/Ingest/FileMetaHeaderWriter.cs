using System.Buffers.Binary;
using System.Text;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Builds the Part 10 preamble + File Meta Information (group 0002, Explicit VR Little Endian) placed in front of
/// a bare C-STORE dataset so the stored blob is a valid Part 10 file; the dataset bytes follow unchanged.
/// </summary>
internal static class FileMetaHeaderWriter
{
    private const int PreambleLength = 128;

    /// <summary>The preamble, "DICM" and the File Meta elements.</summary>
    public static byte[] Build(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string implementationClassUid, string implementationVersionName, string? sourceAeTitle)
    {
        // Elements after (0002,0000): 0001 OB (12+2), then short-form text elements (8 + padded value).
        var groupLength = 12 + 2
            + TextLength(sopClassUid) + TextLength(sopInstanceUid) + TextLength(transferSyntaxUid)
            + TextLength(implementationClassUid) + TextLength(implementationVersionName)
            + (string.IsNullOrEmpty(sourceAeTitle) ? 0 : TextLength(sourceAeTitle));
        var bytes = new byte[PreambleLength + 4 + 12 + groupLength];
        var span = bytes.AsSpan();
        "DICM"u8.CopyTo(span[PreambleLength..]);
        var p = PreambleLength + 4;

        // (0002,0000) UL group length
        WriteShortHeader(span, ref p, 0x0000, "UL"u8, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span[p..], (uint)groupLength);
        p += 4;

        // (0002,0001) OB 00\01: OB uses the long form (2 reserved bytes + 32-bit length).
        WriteTag(span, ref p, 0x0001);
        "OB"u8.CopyTo(span[p..]);
        p += 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[p..], 2);
        p += 4;
        span[p++] = 0x00;
        span[p++] = 0x01;

        WriteText(span, ref p, 0x0002, "UI"u8, sopClassUid, 0);
        WriteText(span, ref p, 0x0003, "UI"u8, sopInstanceUid, 0);
        WriteText(span, ref p, 0x0010, "UI"u8, transferSyntaxUid, 0);
        WriteText(span, ref p, 0x0012, "UI"u8, implementationClassUid, 0);
        WriteText(span, ref p, 0x0013, "SH"u8, implementationVersionName, (byte)' ');
        if (!string.IsNullOrEmpty(sourceAeTitle))
        {
            WriteText(span, ref p, 0x0016, "AE"u8, sourceAeTitle, (byte)' ');
        }

        return bytes;
    }

    private static int TextLength(string value) => 8 + Padded(value);

    private static int Padded(string value) => (value.Length + 1) & ~1;

    private static void WriteTag(Span<byte> span, ref int p, ushort element)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span[p..], 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(p + 2)..], element);
        p += 4;
    }

    private static void WriteShortHeader(Span<byte> span, ref int p, ushort element, ReadOnlySpan<byte> vr, int length)
    {
        WriteTag(span, ref p, element);
        vr.CopyTo(span[p..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(p + 2)..], (ushort)length);
        p += 4;
    }

    private static void WriteText(Span<byte> span, ref int p, ushort element, ReadOnlySpan<byte> vr, string value, byte pad)
    {
        var length = Padded(value);
        WriteShortHeader(span, ref p, element, vr, length);
        var written = Encoding.ASCII.GetBytes(value, span[p..]);
        if (written < length)
        {
            span[p + written] = pad;
        }

        p += length;
    }
}
