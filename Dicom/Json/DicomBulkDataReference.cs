namespace Mirc.Dicom;

/// <summary>
/// An element whose value is elsewhere (read from a BulkDataURI in DICOM JSON/XML). Its <see cref="DicomElement.Buffer"/>
/// is empty: fetch <see cref="Uri"/> and replace the element before writing Part 10.
/// </summary>
public sealed class DicomBulkDataReference : DicomElement
{
    /// <summary>Creates a reference.</summary>
    public DicomBulkDataReference(DicomTag tag, DicomVR vr, string uri) : base(tag, vr, ReadOnlyMemory<byte>.Empty) => Uri = uri;

    /// <summary>The BulkDataURI.</summary>
    public string Uri { get; }

    /// <inheritdoc/>
    public override bool IsEmpty => false;
}
