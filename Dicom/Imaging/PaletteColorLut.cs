namespace Mirc.Dicom.Imaging;

/// <summary>
/// The Palette Color Lookup Table of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5–6): a <see cref="LookupTable"/> per
/// channel, its entries shown 8 bits deep. Ultrasound and nuclear-medicine images, and GDCM-written icons, are stored
/// this way.
/// </summary>
internal sealed class PaletteColorLut
{
    private static readonly DicomTag[] Descriptors =
        [DicomTag.RedPaletteColorLookupTableDescriptor, DicomTag.GreenPaletteColorLookupTableDescriptor, DicomTag.BluePaletteColorLookupTableDescriptor];

    private static readonly DicomTag[] Data =
        [DicomTag.RedPaletteColorLookupTableData, DicomTag.GreenPaletteColorLookupTableData, DicomTag.BluePaletteColorLookupTableData];

    private readonly LookupTable[] _channels;

    private PaletteColorLut(LookupTable[] channels) => _channels = channels;

    /// <summary>The display byte of channel <paramref name="channel"/> (0 red, 1 green, 2 blue) for a stored value.</summary>
    public byte Map(long stored, int channel)
    {
        var table = _channels[channel];
        return (byte)(table.Lookup(stored) >> Math.Max(0, table.Bits - 8));
    }

    /// <summary>The data set's palette (the first mapped value is signed when the pixels are: the descriptor is then SS).</summary>
    /// <exception cref="NotSupportedException">Only a segmented palette, or none, or a malformed one: named in the message.</exception>
    public static PaletteColorLut From(DicomDataset dataset, bool signedPixels)
    {
        var channels = new LookupTable[3];
        for (var c = 0; c < 3; c++)
        {
            var descriptor = dataset.GetInt32s(Descriptors[c]);
            var table = dataset.TryGetBytes(Data[c], out var bytes) && !bytes.IsEmpty ? LookupTable.Create(descriptor, bytes.Span, signedPixels) : null;
            channels[c] = table ?? throw new NotSupportedException(
                dataset.Contains(DicomTag.SegmentedRedPaletteColorLookupTableData) ? "a segmented palette (PALETTE COLOR) is not rendered; retrieve the image as DICOM"
                : descriptor.Length == 3 && bytes.Length > 0 ? $"PALETTE COLOR lookup table data of {bytes.Length} bytes does not match its descriptor {string.Join('\\', descriptor)}"
                : "PALETTE COLOR without a complete palette (descriptor and data of red, green and blue)");
        }

        return new PaletteColorLut(channels);
    }
}
