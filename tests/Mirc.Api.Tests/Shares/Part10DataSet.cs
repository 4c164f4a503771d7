using System.Buffers.Binary;

namespace Mirc.Api.Tests.Shares;

/// <summary>The dataset part of a Part 10 file: everything after the File Meta group (whose length (0002,0000) gives).</summary>
internal static class Part10DataSet
{
    public static ReadOnlySpan<byte> Of(byte[] file)
    {
        // Preamble (128) + "DICM" (4), then (0002,0000) UL in Explicit VR LE: tag 4, VR 2, length 2, value 4.
        if (file.Length < 144 || file[128] != 'D' || file[131] != 'M' || BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(132)) != 0x0002
            || BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(134)) != 0x0000)
            throw new InvalidDataException("not a Part 10 file starting with the File Meta group length");
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(140));
        return file.AsSpan(144 + (int)groupLength);
    }
}
