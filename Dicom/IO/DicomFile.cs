namespace Mirc.Dicom;

/// <summary>A DICOM Part 10 file: File Meta Information (group 0002), the data set, and where Pixel Data is when it was not loaded.</summary>
public sealed class DicomFile
{
    /// <summary>Creates a file for a data set; the File Meta is completed by <see cref="DicomFileWriter"/>.</summary>
    public DicomFile(DicomDataset dataset, DicomTransferSyntax? transferSyntax = null, DicomDataset? fileMetaInformation = null)
    {
        Dataset = dataset;
        FileMetaInformation = fileMetaInformation ?? new DicomDataset();
        TransferSyntax = transferSyntax ?? DicomTransferSyntax.ExplicitVRLittleEndian;
    }

    /// <summary>Group 0002 elements as read (or to be written).</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The data set (without group 0002).</summary>
    public DicomDataset Dataset { get; }

    /// <summary>Transfer syntax of the data set (from (0002,0010), or detected when there is no File Meta).</summary>
    public DicomTransferSyntax TransferSyntax { get; set; }

    /// <summary>The 128-byte preamble as read (null when the input had none; zeros are written then).</summary>
    public ReadOnlyMemory<byte>? Preamble { get; set; }

    /// <summary>Where the top-level Pixel Data is, when it was not loaded (<see cref="DicomReadOptions.StopAtPixelData"/>/<see cref="DicomReadOptions.SkipPixelData"/>).</summary>
    public PixelDataInfo? PixelData { get; internal set; }

    /// <summary>
    /// Bytes of the input used by the header: offset of the Pixel Data element's tag when reading stopped there,
    /// else the whole input length. Offsets are those of the stored (not inflated) file unless the syntax is deflated.
    /// </summary>
    public long HeaderLength { get; internal set; }

    /// <summary>Total bytes the reader consumed from the stream (may exceed <see cref="HeaderLength"/>: it reads ahead in blocks).</summary>
    public long BytesRead { get; internal set; }

    /// <summary>True when the input had no File Meta Information (bare data set, syntax detected by peeking).</summary>
    public bool HadNoFileMeta { get; internal set; }

    /// <summary>(0002,0002) Media Storage SOP Class UID, else (0008,0016).</summary>
    public string? SopClassUid => FileMetaInformation.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID) ?? Dataset.GetStringOrDefault(DicomTag.SOPClassUID);

    /// <summary>(0002,0003) Media Storage SOP Instance UID, else (0008,0018).</summary>
    public string? SopInstanceUid => FileMetaInformation.GetStringOrDefault(DicomTag.MediaStorageSOPInstanceUID) ?? Dataset.GetStringOrDefault(DicomTag.SOPInstanceUID);
}
