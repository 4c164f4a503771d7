using System.Buffers.Binary;
using System.IO.Compression;

namespace Mirc.Dicom.Imaging;

/// <summary>A minimal PNG writer (8-bit grey or RGB, no interlace): signature, IHDR, one zlib IDAT, IEND.</summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="image"/> as PNG.</summary>
    public static byte[] Encode(RenderedImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8; // bit depth
        header[9] = (byte)(image.Channels == 1 ? 0 : 2); // grey or truecolour
        Chunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, level, leaveOpen: true))
        {
            int stride = image.Width * image.Channels;
            for (int y = 0; y < image.Height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(image.Pixels, y * stride, stride);
            }
        }
        Chunk(output, "IDAT", compressed.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The CRC-32 of PNG chunks (ISO 3309 polynomial, as in zlib).</summary>
    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, ~Crc(Crc(0xFFFFFFFFu, typeBytes), data));
        output.Write(word);
    }
}
