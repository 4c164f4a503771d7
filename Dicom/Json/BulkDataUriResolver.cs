namespace Mirc.Dicom;

/// <summary>
/// Decides the BulkDataURI of a large value when serializing to DICOM JSON/XML; return null to inline the value instead.
/// </summary>
/// <param name="element">The element being written.</param>
/// <param name="owner">The data set (or sequence item) that contains it.</param>
public delegate string? BulkDataUriResolver(DicomElement element, DicomDataset owner);
