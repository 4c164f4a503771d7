namespace Mirc.Grains.Indexing;

/// <summary>
/// What the index records of one stored instance (taken from its header at ingest). Strings are the DICOM values
/// with padding trimmed; <c>null</c> or empty = absent. Dates are DA <c>YYYYMMDD</c>, times TM <c>HHMMSS[.FFFFFF]</c>.
/// Patient and study attributes overwrite the stored ones (last ingest wins).
/// </summary>
public sealed record IndexedInstance
{
    /// <summary>(0010,0010) in DICOM PN form (<c>Family^Given^Middle^Prefix^Suffix</c>).</summary>
    public string? PatientName { get; init; }
    /// <summary>(0010,0020) local patient id at the producing establishment.</summary>
    public required string PatientId { get; init; }
    /// <summary>(0010,0021) issuer of the patient id (empty = unspecified).</summary>
    public string? IssuerOfPatientId { get; init; }
    /// <summary>Regional patient identifier linking the patient across establishments.</summary>
    public string? RegionalPatientId { get; init; }
    /// <summary>(0010,0030) DA.</summary>
    public string? PatientBirthDate { get; init; }
    /// <summary>(0010,0040) M, F, O.</summary>
    public string? PatientSex { get; init; }

    /// <summary>(0020,000D).</summary>
    public required string StudyInstanceUid { get; init; }
    /// <summary>(0008,0020) DA.</summary>
    public string? StudyDate { get; init; }
    /// <summary>(0008,0030) TM.</summary>
    public string? StudyTime { get; init; }
    /// <summary>(0008,0050).</summary>
    public string? AccessionNumber { get; init; }
    /// <summary>(0020,0010).</summary>
    public string? StudyId { get; init; }
    /// <summary>(0008,1030).</summary>
    public string? StudyDescription { get; init; }
    /// <summary>(0008,0090) PN.</summary>
    public string? ReferringPhysicianName { get; init; }
    /// <summary>Establishment that produced/pushed the study (drives authorization).</summary>
    public required string ProducingEstablishmentId { get; init; }

    /// <summary>(0020,000E).</summary>
    public required string SeriesInstanceUid { get; init; }
    /// <summary>(0008,0060).</summary>
    public string? Modality { get; init; }
    /// <summary>(0020,0011).</summary>
    public int? SeriesNumber { get; init; }
    /// <summary>(0008,103E).</summary>
    public string? SeriesDescription { get; init; }
    /// <summary>(0018,0015).</summary>
    public string? BodyPartExamined { get; init; }

    /// <summary>(0008,0016).</summary>
    public required string SopClassUid { get; init; }
    /// <summary>(0008,0018).</summary>
    public required string SopInstanceUid { get; init; }
    /// <summary>(0020,0013).</summary>
    public int? InstanceNumber { get; init; }
    /// <summary>(0002,0010) transfer syntax of the stored file.</summary>
    public string? TransferSyntaxUid { get; init; }
    /// <summary>(0028,0008).</summary>
    public int? NumberOfFrames { get; init; }
    /// <summary>(0028,0010).</summary>
    public int? Rows { get; init; }
    /// <summary>(0028,0011).</summary>
    public int? Columns { get; init; }
    /// <summary>(0028,0100).</summary>
    public int? BitsAllocated { get; init; }
    /// <summary>(0008,0005) as the source wrote it (multi-values joined with <c>\</c>); kept on the instance, its series and study.</summary>
    public string? SpecificCharacterSet { get; init; }
    /// <summary>(0008,0201) <c>&amp;ZZXX</c>; kept on the instance, its series and study.</summary>
    public string? TimezoneOffsetFromUtc { get; init; }
    /// <summary>(0040,0244) DA, kept on the series.</summary>
    public string? PerformedProcedureStepStartDate { get; init; }
    /// <summary>(0040,0245) TM, kept on the series.</summary>
    public string? PerformedProcedureStepStartTime { get; init; }
    /// <summary>(0008,0056) availability: ONLINE (default), NEARLINE, OFFLINE, UNAVAILABLE.</summary>
    public string Status { get; init; } = "ONLINE";
}
