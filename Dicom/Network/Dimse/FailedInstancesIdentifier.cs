using System.Buffers.Binary;
using System.Text;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// Encodes / finds the Failed SOP Instance UID List (0008,0058) of final C-GET / C-MOVE responses. The identifier
/// holds this one element, so it is written directly in the context's little-endian transfer syntax.
/// </summary>
internal static class FailedInstancesIdentifier
{
    private const ushort Group = 0x0008;
    private const ushort Element = 0x0058;

    public static byte[] Encode(IReadOnlyList<string> uids, string transferSyntaxUid)
    {
        var explicitVr = transferSyntaxUid != DicomUids.ImplicitVRLittleEndian;
        // UI has a 2-byte length in explicit VR: keep as many whole UIDs as fit.
        var kept = new List<string>(uids.Count);
        var total = 0;
        foreach (var uid in uids)
        {
            if (explicitVr && total + uid.Length + 1 > ushort.MaxValue - 1) break;
            kept.Add(uid);
            total += uid.Length + 1;
        }
        var value = Encoding.ASCII.GetBytes(string.Join('\\', kept));
        if ((value.Length & 1) == 1) Array.Resize(ref value, value.Length + 1);
        var result = new byte[8 + value.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(result, Group);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(2), Element);
        if (explicitVr)
        {
            result[4] = (byte)'U';
            result[5] = (byte)'I';
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(6), (ushort)value.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)value.Length);
        }
        value.CopyTo(result, 8);
        return result;
    }

    /// <summary>Finds (0008,0058) among the top-level elements of a little-endian identifier; empty when absent.</summary>
    public static IReadOnlyList<string> Decode(ReadOnlySpan<byte> dataSet, string transferSyntaxUid)
    {
        var explicitVr = transferSyntaxUid != DicomUids.ImplicitVRLittleEndian;
        var offset = 0;
        while (offset + 8 <= dataSet.Length)
        {
            var group = BinaryPrimitives.ReadUInt16LittleEndian(dataSet[offset..]);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(dataSet[(offset + 2)..]);
            long length;
            int headerLength;
            if (explicitVr)
            {
                var vr = Encoding.ASCII.GetString(dataSet.Slice(offset + 4, 2));
                if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN" or "UC" or "UR" or "OD" or "OL" or "OV" or "SV" or "UV")
                {
                    if (offset + 12 > dataSet.Length) break;
                    length = BinaryPrimitives.ReadUInt32LittleEndian(dataSet[(offset + 8)..]);
                    headerLength = 12;
                }
                else
                {
                    length = BinaryPrimitives.ReadUInt16LittleEndian(dataSet[(offset + 6)..]);
                    headerLength = 8;
                }
            }
            else
            {
                length = BinaryPrimitives.ReadUInt32LittleEndian(dataSet[(offset + 4)..]);
                headerLength = 8;
            }
            if (length == 0xFFFFFFFF || offset + headerLength + length > dataSet.Length) break; // sequences: not expected here
            if (group == Group && element == Element)
            {
                var text = Encoding.ASCII.GetString(dataSet.Slice(offset + headerLength, (int)length)).TrimEnd('\0', ' ');
                return text.Length == 0 ? [] : text.Split('\\');
            }
            if (group > Group || (group == Group && element > Element)) break;
            offset += headerLength + (int)length;
        }
        return [];
    }
}
