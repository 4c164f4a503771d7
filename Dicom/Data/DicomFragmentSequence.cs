namespace Mirc.Dicom;

/// <summary>
/// Encapsulated Pixel Data (7FE0,0010) kept byte-exact: the Basic Offset Table item and the fragments, in order.
/// </summary>
public sealed class DicomFragmentSequence : DicomElement
{
    /// <summary>Creates encapsulated pixel data.</summary>
    public DicomFragmentSequence(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> basicOffsetTable, IEnumerable<ReadOnlyMemory<byte>> fragments)
        : base(tag, vr, ReadOnlyMemory<byte>.Empty)
    {
        BasicOffsetTable = basicOffsetTable;
        Fragments = [.. fragments];
    }

    /// <summary>The raw Basic Offset Table item value (possibly empty).</summary>
    public ReadOnlyMemory<byte> BasicOffsetTable { get; set; }

    /// <summary>The fragment item values.</summary>
    public List<ReadOnlyMemory<byte>> Fragments { get; }

    /// <inheritdoc/>
    public override bool IsEmpty => Fragments.Count == 0 && BasicOffsetTable.IsEmpty;

    /// <summary>The Basic Offset Table decoded as 32-bit offsets (relative to the first byte of the first fragment item).</summary>
    public uint[] GetOffsets()
    {
        var span = BasicOffsetTable.Span;
        var result = new uint[span.Length / 4];
        for (int i = 0; i < result.Length; i++) result[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[(i * 4)..]);
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Tag} {VR.Code()} encapsulated ({Fragments.Count} fragments)";
}
