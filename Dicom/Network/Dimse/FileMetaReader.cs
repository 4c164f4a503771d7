using System.Buffers.Binary;
using System.Text;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>The File Meta facts the network layer needs to send a stored Part 10 file.</summary>
internal sealed record FileMetaSummary(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid);

/// <summary>
/// Reads the preamble and File Meta group (0002, always Explicit VR Little Endian) of a Part 10 stream and returns a
/// stream positioned on the first dataset byte, so the dataset can be sent without buffering the file. The returned
/// stream is the input itself or wraps it without owning it: the caller disposes the input.
/// </summary>
internal static class FileMetaReader
{
    private const int MaxMetaValue = 64 * 1024;

    public static async ValueTask<(FileMetaSummary Meta, Stream DataSet)> ReadAsync(Stream part10, CancellationToken ct)
    {
        var preamble = new byte[132];
        await part10.ReadExactlyAsync(preamble, ct).ConfigureAwait(false);
        if (preamble[128] != 'D' || preamble[129] != 'I' || preamble[130] != 'C' || preamble[131] != 'M')
            throw new InvalidDataException("not a DICOM Part 10 file (no DICM prefix)");

        string sopClass = "", sopInstance = "", transferSyntax = "";
        var header = new byte[12];
        while (true)
        {
            var n = await part10.ReadAtLeastAsync(header.AsMemory(0, 8), 8, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            if (n < 8)
                // File with File Meta only (no dataset): nothing to send but valid.
                return (Validate(sopClass, sopInstance, transferSyntax), Rewind(part10, header.AsMemory(0, n)));
            var group = BinaryPrimitives.ReadUInt16LittleEndian(header);
            if (group != 0x0002)
                return (Validate(sopClass, sopInstance, transferSyntax), Rewind(part10, header.AsMemory(0, 8)));
            var element = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2));
            var vr = Encoding.ASCII.GetString(header, 4, 2);
            long length;
            if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN" or "UC" or "UR" or "OD" or "OL" or "OV" or "SV" or "UV")
            {
                await part10.ReadExactlyAsync(header.AsMemory(8, 4), ct).ConfigureAwait(false);
                length = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            }
            else
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            }
            if (length > MaxMetaValue) throw new InvalidDataException($"File Meta element (0002,{element:X4}) length {length} is absurd");
            var value = new byte[length];
            await part10.ReadExactlyAsync(value, ct).ConfigureAwait(false);
            var text = Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');
            switch (element)
            {
                case 0x0002: sopClass = text; break;
                case 0x0003: sopInstance = text; break;
                case 0x0010: transferSyntax = text; break;
            }
        }
    }

    /// <summary>
    /// Gives back the bytes read past the File Meta: a seekable stream is moved back (so the sender keeps a stream of
    /// known length and reads it directly), any other is wrapped.
    /// </summary>
    private static Stream Rewind(Stream part10, ReadOnlyMemory<byte> readAhead)
    {
        if (part10.CanSeek)
        {
            part10.Position -= readAhead.Length;
            return part10;
        }
        return new PrefixedReadStream(readAhead, part10);
    }

    private static FileMetaSummary Validate(string sopClass, string sopInstance, string transferSyntax)
    {
        if (sopClass.Length == 0 || sopInstance.Length == 0 || transferSyntax.Length == 0)
            throw new InvalidDataException("File Meta lacks Media Storage SOP Class/Instance UID or Transfer Syntax UID");
        return new FileMetaSummary(sopClass, sopInstance, transferSyntax);
    }
}
