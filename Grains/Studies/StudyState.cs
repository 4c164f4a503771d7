using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Studies;

/// <summary>
/// Persistent summary of a study: small and bounded (no per-instance data); rewritten only when a series, the
/// study attributes, the status or the number of manifest segments change.
/// </summary>
[GenerateSerializer, Alias("mirc.StudyState")]
public sealed class StudyState
{
    /// <summary>Status.</summary>
    [Id(0)] public StudyStatus Status { get; set; }

    /// <summary>Regional patient id.</summary>
    [Id(1)] public string? PatientId { get; set; }

    /// <summary>Producing establishment (first sender).</summary>
    [Id(2)] public string? EstablishmentId { get; set; }

    /// <summary>Study Date.</summary>
    [Id(3)] public string? StudyDate { get; set; }

    /// <summary>Study Description.</summary>
    [Id(4)] public string? StudyDescription { get; set; }

    /// <summary>Accession Number.</summary>
    [Id(5)] public string? AccessionNumber { get; set; }

    /// <summary>Series attributes, first-received order (counters are derived from the manifest, not stored here).</summary>
    [Id(6)] public List<SeriesSummary> Series { get; set; } = [];

    /// <summary>Number of manifest segments opened so far (segment i lives in state <c>manifest-i</c>).</summary>
    [Id(7)] public int SegmentCount { get; set; }
}
