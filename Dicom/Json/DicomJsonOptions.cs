namespace Mirc.Dicom;

/// <summary>Options for <see cref="DicomJson"/> and <see cref="DicomXml"/>.</summary>
public sealed record DicomJsonOptions
{
    /// <summary>Default options: everything inline.</summary>
    public static DicomJsonOptions Default { get; } = new();

    /// <summary>Called for values of at least <see cref="BulkDataThreshold"/> bytes (binary VRs and UT/LT/UC/UR); null keeps them inline.</summary>
    public BulkDataUriResolver? BulkDataUriResolver { get; init; }

    /// <summary>Value size (bytes) from which <see cref="BulkDataUriResolver"/> is consulted.</summary>
    public int BulkDataThreshold { get; init; } = 1024;

    /// <summary>Write the "keyword" attribute in Native DICOM XML (JSON has no keyword).</summary>
    public bool WriteKeywords { get; init; } = true;

    /// <summary>Skip group length elements (gggg,0000) (PS3.18 forbids them in JSON).</summary>
    public bool SkipGroupLengths { get; init; } = true;
}
