namespace Mirc.Dicom;

/// <summary>A sequence of items (SQ); each item is a <see cref="DicomDataset"/> whose <see cref="DicomDataset.Parent"/> is the enclosing data set.</summary>
public sealed class DicomSequence : DicomElement
{
    /// <summary>Creates a sequence with the given items.</summary>
    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset>? items = null) : base(tag, DicomVR.SQ, ReadOnlyMemory<byte>.Empty)
    {
        Items = items is null ? [] : [.. items];
    }

    /// <summary>The items, in order.</summary>
    public List<DicomDataset> Items { get; }

    /// <inheritdoc/>
    public override bool IsEmpty => Items.Count == 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Tag} SQ ({Items.Count} items)";
}
