using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// A DIMSE command set: group 0000 elements, always Implicit VR Little Endian (PS3.7 §6.3.1, §E.1). Kept minimal and
/// independent of the Part 10 codec: the command group is a flat list of a few known element types.
/// </summary>
internal sealed class DimseCommand
{
    public const ushort AffectedSopClassUid = 0x0002;
    public const ushort RequestedSopClassUid = 0x0003;
    public const ushort CommandFieldTag = 0x0100;
    public const ushort MessageId = 0x0110;
    public const ushort MessageIdBeingRespondedTo = 0x0120;
    public const ushort MoveDestination = 0x0600;
    public const ushort Priority = 0x0700;
    public const ushort CommandDataSetType = 0x0800;
    public const ushort Status = 0x0900;
    public const ushort OffendingElement = 0x0901;
    public const ushort ErrorComment = 0x0902;
    public const ushort AffectedSopInstanceUid = 0x1000;
    public const ushort RequestedSopInstanceUid = 0x1001;
    public const ushort RemainingSuboperations = 0x1020;
    public const ushort CompletedSuboperations = 0x1021;
    public const ushort FailedSuboperations = 0x1022;
    public const ushort WarningSuboperations = 0x1023;
    public const ushort MoveOriginatorAe = 0x1030;
    public const ushort MoveOriginatorMessageId = 0x1031;

    /// <summary>(0000,0800) value meaning "no dataset follows".</summary>
    public const ushort NoDataSet = 0x0101;

    private readonly SortedDictionary<ushort, byte[]> _elements = [];

    public CommandField Field
    {
        get => (CommandField)GetUShort(CommandFieldTag);
        set => SetUShort(CommandFieldTag, (ushort)value);
    }

    public bool IsResponse => ((ushort)Field & 0x8000) != 0;

    public bool HasDataSet
    {
        get => GetUShort(CommandDataSetType, NoDataSet) != NoDataSet;
        set => SetUShort(CommandDataSetType, value ? (ushort)0x0000 : NoDataSet);
    }

    public bool Contains(ushort element) => _elements.ContainsKey(element);

    public ushort GetUShort(ushort element, ushort fallback = 0) =>
        _elements.TryGetValue(element, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(v) : fallback;

    public void SetUShort(ushort element, ushort value)
    {
        var v = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, value);
        _elements[element] = v;
    }

    public string GetString(ushort element) =>
        _elements.TryGetValue(element, out var v) ? Encoding.ASCII.GetString(v).TrimEnd('\0', ' ') : "";

    /// <summary>Sets a UI (null padded) or AE/LO (space padded) value to even length.</summary>
    public void SetString(ushort element, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if ((bytes.Length & 1) == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = element is AffectedSopClassUid or RequestedSopClassUid or AffectedSopInstanceUid or RequestedSopInstanceUid
                ? (byte)0 : (byte)' ';
        }
        _elements[element] = bytes;
    }

    public void Remove(ushort element) => _elements.Remove(element);

    public ushort MessageIdValue => GetUShort(MessageId);

    public ushort StatusValue => GetUShort(Status);

    /// <summary>Encodes the command set including its (0000,0000) group length.</summary>
    public byte[] Encode()
    {
        var groupLength = 0;
        foreach (var (_, v) in _elements) groupLength += 8 + v.Length;
        var buffer = new byte[12 + groupLength];
        var span = buffer.AsSpan();
        WriteHeader(span, 0x0000, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)groupLength);
        var offset = 12;
        foreach (var (element, v) in _elements)
        {
            WriteHeader(span[offset..], element, v.Length);
            v.CopyTo(span[(offset + 8)..]);
            offset += 8 + v.Length;
        }
        return buffer;
    }

    /// <summary>Decodes a complete command set; elements outside group 0000 are a protocol error.</summary>
    public static DimseCommand Decode(ReadOnlySequence<byte> data)
    {
        var reader = new SequenceReader<byte>(data);
        var command = new DimseCommand();
        while (!reader.End)
        {
            if (!reader.TryReadLittleEndian(out short group) || !reader.TryReadLittleEndian(out short element) ||
                !reader.TryReadLittleEndian(out int length))
                throw new DicomProtocolException("truncated DIMSE command element header");
            if (group != 0) throw new DicomProtocolException($"DIMSE command contains element ({(ushort)group:X4},{(ushort)element:X4})");
            if (length < 0 || length > reader.Remaining) throw new DicomProtocolException("DIMSE command element length exceeds command");
            var value = new byte[length];
            reader.TryCopyTo(value);
            reader.Advance(length);
            if (element != 0) command._elements[(ushort)element] = value;
        }
        if (!command.Contains(CommandFieldTag)) throw new DicomProtocolException("DIMSE command without Command Field (0000,0100)");
        return command;
    }

    private static void WriteHeader(Span<byte> span, ushort element, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0x0000);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)length);
    }

    public override string ToString() => $"{Field} id={GetUShort(IsResponse ? MessageIdBeingRespondedTo : MessageId)}" +
        (IsResponse ? $" status=0x{StatusValue:X4}" : "");
}
