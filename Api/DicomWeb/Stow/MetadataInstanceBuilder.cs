using Mirc.Dicom;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>
/// Turns one DICOM JSON data set of a metadata STOW-RS request into a Part 10 file: every BulkDataURI (also inside
/// sequences) is replaced by the bytes of the bulk data part whose Content-Location it names, the file is written in
/// Explicit VR Little Endian (the bulk data parts carry native, uncompressed values).
/// </summary>
public static class MetadataInstanceBuilder
{
    /// <summary>Builds the file; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static byte[]? TryBuild(DicomDataset dataset, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> bulkData, out string? error)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(bulkData);
        // File Meta comes from the writer, not from the client.
        dataset.RemoveAll(e => e.Tag.Group == 0x0002);
        error = Resolve(dataset, bulkData);
        if (error is not null) return null;
        try
        {
            return DicomFileWriter.Write(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian));
        }
        catch (Exception ex) when (ex is DicomFormatException or ArgumentException or InvalidOperationException)
        {
            error = $"The metadata cannot be written as a DICOM file: {ex.Message}";
            return null;
        }
    }

    private static string? Resolve(DicomDataset dataset, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> bulkData)
    {
        foreach (var element in dataset.Elements.ToArray())
        {
            if (element is DicomBulkDataReference reference)
            {
                if (!bulkData.TryGetValue(reference.Uri, out var bytes))
                    return $"No bulk data part has Content-Location '{reference.Uri}' (referenced by {reference.Tag}).";
                dataset.Set(new DicomElement(reference.Tag, reference.VR, bytes));
            }
            else if (element is DicomSequence sequence)
            {
                foreach (var item in sequence.Items)
                {
                    if (Resolve(item, bulkData) is { } error) return error;
                }
            }
        }
        return null;
    }
}
