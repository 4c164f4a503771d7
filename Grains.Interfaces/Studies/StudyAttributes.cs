namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Study- and series-level attributes of one instance, taken from its header at ingest.</summary>
[GenerateSerializer, Immutable, Alias("mirc.StudyAttributes")]
public sealed record StudyAttributes
{
    /// <summary>Regional patient id the study belongs to.</summary>
    [Id(0)] public required string PatientId { get; init; }

    /// <summary>Study Date (0008,0020) as DICOM DA text (yyyyMMdd), when present.</summary>
    [Id(1)] public string? StudyDate { get; init; }

    /// <summary>Study Description (0008,1030).</summary>
    [Id(2)] public string? StudyDescription { get; init; }

    /// <summary>Accession Number (0008,0050).</summary>
    [Id(3)] public string? AccessionNumber { get; init; }

    /// <summary>Modality (0008,0060) of the instance's series.</summary>
    [Id(4)] public string? Modality { get; init; }

    /// <summary>Series Number (0020,0011).</summary>
    [Id(5)] public int? SeriesNumber { get; init; }

    /// <summary>Series Description (0008,103E).</summary>
    [Id(6)] public string? SeriesDescription { get; init; }
}
