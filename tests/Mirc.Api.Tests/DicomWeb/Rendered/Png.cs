using System.Buffers.Binary;
using System.IO.Compression;

namespace Mirc.Api.Tests.DicomWeb.Rendered;

/// <summary>Reads back 8-bit grey/RGB PNGs with filter type 0 (what the archive writes), checking the structure.</summary>
internal sealed record Png(int Width, int Height, int Channels, byte[] Pixels)
{
    public int Pixel(int x, int y, int channel = 0) => Pixels[(y * Width + x) * Channels + channel];

    public static Png Decode(byte[] bytes)
    {
        Xunit.Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        int at = 8, width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        while (at < bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] == 0 ? 1 : 3;
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        int stride = width * channels;
        var pixels = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            Xunit.Assert.Equal(0, rows[y * (stride + 1)]);
            Array.Copy(rows, y * (stride + 1) + 1, pixels, y * stride, stride);
        }
        return new Png(width, height, channels, pixels);
    }
}
