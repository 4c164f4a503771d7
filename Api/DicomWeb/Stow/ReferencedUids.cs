using System.Buffers.Binary;
using System.Text;
using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>
/// The SOP Class and Instance UIDs of a part that could not be stored, read from the bytes received, so the failure
/// item can carry Referenced SOP Class/Instance UID (PS3.18 Table 10.5.3-1) even when the data set is unreadable.
/// </summary>
internal static class ReferencedUids
{
    /// <summary>UIDs from the data set when it parses, else from the File Meta group (0002,0002)/(0002,0003); nulls when neither reads.</summary>
    public static (string? SopClassUid, string? SopInstanceUid) Read(ReadOnlyMemory<byte> part)
    {
        try
        {
            var file = DicomFileReader.Read(part, DicomReadOptions.HeaderOnly);
            var sopClass = Uid(file.Dataset.GetStringOrDefault(DicomTag.SOPClassUID)) ?? Uid(file.FileMetaInformation.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID));
            var sopInstance = Uid(file.Dataset.GetStringOrDefault(DicomTag.SOPInstanceUID)) ?? Uid(file.FileMetaInformation.GetStringOrDefault(DicomTag.MediaStorageSOPInstanceUID));
            return (sopClass, sopInstance);
        }
        catch (Exception ex) when (ex is DicomFormatException or ArgumentException or FormatException or InvalidOperationException)
        {
            return FromMeta(part.Span);
        }
    }

    // The meta group is always Explicit VR Little Endian after the preamble: walk it element by element.
    private static (string?, string?) FromMeta(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 132 || !bytes.Slice(128, 4).SequenceEqual("DICM"u8)) return (null, null);
        string? sopClass = null, sopInstance = null;
        var pos = 132;
        while (pos + 8 <= bytes.Length && BinaryPrimitives.ReadUInt16LittleEndian(bytes[pos..]) == 0x0002)
        {
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(pos + 2)..]);
            var longForm = bytes[pos + 4] == 'O' || bytes[pos + 4] == 'U' && bytes[pos + 5] is (byte)'N' or (byte)'T';
            if (longForm && pos + 12 > bytes.Length) break;
            var length = longForm ? (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(pos + 8)..]), int.MaxValue) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(pos + 6)..]);
            var start = pos + (longForm ? 12 : 8);
            if (length > bytes.Length - start) break;
            if (element == 0x0002) sopClass = Uid(Encoding.ASCII.GetString(bytes.Slice(start, length)));
            if (element == 0x0003) sopInstance = Uid(Encoding.ASCII.GetString(bytes.Slice(start, length)));
            pos = start + length;
        }
        return (sopClass, sopInstance);
    }

    private static string? Uid(string? text) => text?.Trim('\0', ' ') is { Length: > 0 } uid ? uid : null;
}
