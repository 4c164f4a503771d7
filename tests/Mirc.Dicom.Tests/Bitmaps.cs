using System.Buffers.Binary;

namespace Mirc.Dicom.Tests;

/// <summary>Writes small uncompressed BMP files for img2dcm.</summary>
internal static class Bitmaps
{
    /// <summary>A 24-bit BMP whose pixel (x, y) is (x*40, y*60, 200).</summary>
    public static byte[] Rgb24(int width, int height)
    {
        int rowSize = (width * 3 + 3) & ~3;
        int imageSize = rowSize * height;
        var bmp = new byte[54 + imageSize];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), imageSize);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = 54 + (height - 1 - y) * rowSize + x * 3;
                bmp[at] = 200;
                bmp[at + 1] = (byte)(y * 60);
                bmp[at + 2] = (byte)(x * 40);
            }
        }
        return bmp;
    }
}
