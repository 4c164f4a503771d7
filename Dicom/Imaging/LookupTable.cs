using System.Buffers.Binary;

namespace Mirc.Dicom.Imaging;

/// <summary>
/// A lookup table given as data (PS3.3 C.11.1 Modality LUT Sequence, C.11.2 VOI LUT Sequence): a descriptor (number of
/// entries, first mapped input value, bits per entry) and the entries. An input below the first mapped value takes the
/// first entry, above the table the last. Radiographs carry them (a vendor's VOI curve on CR, DX, mammography; a
/// modality curve on some XA and older CR) instead of a rescale or a window; a palette is three of them.
/// </summary>
internal sealed class LookupTable
{
    private readonly ushort[] _entries;
    private readonly long _first;

    private LookupTable(ushort[] entries, long first, int bits)
    {
        _entries = entries;
        _first = first;
        Bits = bits;
    }

    /// <summary>Bits per entry (the entries' range is 0 to 2^Bits − 1).</summary>
    public int Bits { get; }

    /// <summary>The entry for an input value.</summary>
    public int Lookup(double input) => _entries[(int)Math.Clamp((long)Math.Floor(input) - _first, 0, _entries.Length - 1)];

    /// <summary>
    /// The first item of <paramref name="holder"/>'s <paramref name="sequence"/> as a table, or null when there is none
    /// or it is malformed (the caller falls back to a rescale or a window). <paramref name="signedInput"/>: the inputs can
    /// be negative, so the first mapped value is read as signed (its VR is then SS).
    /// </summary>
    public static LookupTable? From(DicomDataset holder, DicomTag sequence, bool signedInput) =>
        holder.GetSequenceItems(sequence) is [var item, ..] && item.TryGetBytes(DicomTag.LUTData, out var data)
            ? Create(item.GetInt32s(DicomTag.LUTDescriptor), data.Span, signedInput)
            : null;

    /// <summary>A table from its descriptor (entries, first mapped value, bits) and data; null when they do not agree.</summary>
    public static LookupTable? Create(int[] descriptor, ReadOnlySpan<byte> bytes, bool signedInput)
    {
        if (descriptor.Length != 3 || descriptor[2] is < 1 or > 16) return null;
        var count = descriptor[0] == 0 ? 65536 : descriptor[0];
        long first = signedInput ? (short)(ushort)descriptor[1] : (ushort)descriptor[1];
        // Entries of up to 8 bits may be one byte each; otherwise (and as most writers store them) 16-bit words.
        var wide = descriptor[2] > 8 || bytes.Length >= 2 * count;
        if (bytes.Length < (wide ? 2 * count : count)) return null;
        var entries = new ushort[count];
        var mask = (1 << descriptor[2]) - 1;
        for (var i = 0; i < count; i++) entries[i] = (ushort)((wide ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) : bytes[i]) & mask);
        return new LookupTable(entries, first, descriptor[2]);
    }
}
