using System.Buffers.Binary;

namespace Mirc.Bench.Data;

/// <summary>Where the data set of a Part 10 file starts: after the preamble, "DICM" and the meta group whose length (0002,0000) gives.</summary>
public static class Part10Layout
{
    /// <summary>Offset of the data set; throws when the file does not begin with a (0002,0000) UL group length.</summary>
    public static int DatasetOffset(ReadOnlySpan<byte> file)
    {
        if (file.Length < 144 || !file[128..132].SequenceEqual("DICM"u8)
            || BinaryPrimitives.ReadUInt32LittleEndian(file[132..]) != 0x0000_0002 || !file[136..138].SequenceEqual("UL"u8))
        {
            throw new InvalidDataException("not a Part 10 file with a (0002,0000) group length");
        }

        return checked(144 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file[140..]));
    }
}
