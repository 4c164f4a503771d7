namespace Mirc.Grains.Research;

/// <summary>One instance of an export's cohort (original UIDs, the patient it belongs to).</summary>
[GenerateSerializer, Immutable, Alias("mirc.ResearchExportItem")]
public sealed record ExportItem(
    [property: Id(0)] string StudyInstanceUid,
    [property: Id(1)] string SeriesInstanceUid,
    [property: Id(2)] string SopInstanceUid,
    [property: Id(3)] string PatientReference);
