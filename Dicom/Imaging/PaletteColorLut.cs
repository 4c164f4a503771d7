using System.Buffers.Binary;

namespace Mirc.Dicom.Imaging;

/// <summary>
/// The Palette Color Lookup Table of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5–6): one table per channel, each stored
/// value mapped to its entry (values below the first mapped one take the first entry, above the table the last),
/// output 8 bits per channel. Ultrasound and nuclear-medicine images, and GDCM-written icons, are stored this way.
/// </summary>
internal sealed class PaletteColorLut
{
    private readonly byte[][] _channels;
    private readonly long _first;

    private PaletteColorLut(byte[][] channels, long first)
    {
        _channels = channels;
        _first = first;
    }

    /// <summary>The display byte of channel <paramref name="channel"/> (0 red, 1 green, 2 blue) for a stored value.</summary>
    public byte Map(long stored, int channel)
    {
        var table = _channels[channel];
        return table[Math.Clamp(stored - _first, 0, table.Length - 1)];
    }

    /// <summary>The data set's palette.</summary>
    /// <exception cref="NotSupportedException">Only a segmented palette, or none, or a malformed one: named in the message.</exception>
    public static PaletteColorLut From(DicomDataset dataset, bool signedPixels)
    {
        DicomTag[] descriptors = [DicomTag.RedPaletteColorLookupTableDescriptor, DicomTag.GreenPaletteColorLookupTableDescriptor, DicomTag.BluePaletteColorLookupTableDescriptor];
        DicomTag[] data = [DicomTag.RedPaletteColorLookupTableData, DicomTag.GreenPaletteColorLookupTableData, DicomTag.BluePaletteColorLookupTableData];
        var channels = new byte[3][];
        long first = 0;
        for (var c = 0; c < 3; c++)
        {
            var descriptor = dataset.GetInt32s(descriptors[c]);
            if (descriptor.Length != 3 || !dataset.TryGetBytes(data[c], out var bytes) || bytes.IsEmpty)
            {
                throw new NotSupportedException(dataset.Contains(DicomTag.SegmentedRedPaletteColorLookupTableData)
                    ? "a segmented palette (PALETTE COLOR) is not rendered; retrieve the image as DICOM"
                    : "PALETTE COLOR without a complete palette (descriptor and data of red, green and blue)");
            }

            // 0 entries means 65,536; the first mapped value is signed when the pixels are (the descriptor is then SS).
            var entries = descriptor[0] == 0 ? 65536 : descriptor[0];
            first = signedPixels ? (short)(ushort)descriptor[1] : (ushort)descriptor[1];
            channels[c] = Entries(bytes.Span, entries, descriptor[2]);
        }

        return new PaletteColorLut(channels, first);
    }

    // 16-bit entries show their high byte; 8-bit entries are bytes, or — as some writers store them — the low byte of
    // 16-bit words.
    private static byte[] Entries(ReadOnlySpan<byte> data, int entries, int bits)
    {
        var table = new byte[entries];
        var wide = bits == 16 || data.Length >= 2 * entries;
        if (data.Length < (wide ? 2 * entries : entries))
        {
            throw new NotSupportedException($"PALETTE COLOR lookup table data holds {data.Length} bytes for {entries} entries of {bits} bits");
        }

        for (var i = 0; i < entries; i++)
        {
            table[i] = !wide ? data[i] : bits == 16 ? (byte)(BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]) >> 8) : data[2 * i];
        }

        return table;
    }
}
