using System.Buffers.Binary;

namespace Mirc.Dicom.Imaging;

/// <summary>
/// A VOI LUT given as a table (VOI LUT Sequence, PS3.3 C.11.2.1.1) rather than a window: CR, DX and mammography images
/// often carry only this, a curve the vendor chose. Each modality value maps to its entry (below the first mapped value
/// the first entry, above the table the last), entries scaled from their bit depth to 0–255.
/// </summary>
internal sealed class VoiLut
{
    private readonly ushort[] _entries;
    private readonly long _first;
    private readonly double _scale;

    private VoiLut(ushort[] entries, long first, int bits)
    {
        _entries = entries;
        _first = first;
        _scale = 255.0 / ((1 << bits) - 1);
    }

    /// <summary>The display level (0–255) of a modality value.</summary>
    public double Map(double modality) => _entries[(int)Math.Clamp((long)Math.Floor(modality) - _first, 0, _entries.Length - 1)] * _scale;

    /// <summary>
    /// The first item of <paramref name="holder"/>'s VOI LUT Sequence as a table, or null when there is none or it is
    /// malformed (the caller then falls back to a window). <paramref name="signedInput"/>: the modality values can be
    /// negative, so the first mapped value is read as signed (its VR is then SS).
    /// </summary>
    public static VoiLut? From(DicomDataset holder, bool signedInput)
    {
        if (holder.GetSequenceItems(DicomTag.VOILUTSequence) is not [var item, ..]) return null;
        var descriptor = item.GetInt32s(DicomTag.LUTDescriptor);
        if (descriptor.Length != 3 || descriptor[2] is < 1 or > 16 || !item.TryGetBytes(DicomTag.LUTData, out var data)) return null;
        var count = descriptor[0] == 0 ? 65536 : descriptor[0];
        long first = signedInput ? (short)(ushort)descriptor[1] : (ushort)descriptor[1];
        // Entries of up to 8 bits may be one byte each; otherwise (and as most writers store them) 16-bit words.
        var bytes = data.Span;
        var wide = descriptor[2] > 8 || bytes.Length >= 2 * count;
        if (bytes.Length < (wide ? 2 * count : count)) return null;
        var entries = new ushort[count];
        var mask = (1 << descriptor[2]) - 1;
        for (var i = 0; i < count; i++) entries[i] = (ushort)((wide ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) : bytes[i]) & mask);
        return new VoiLut(entries, first, descriptor[2]);
    }
}
