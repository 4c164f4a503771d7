using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>What the ingest pipeline takes from an instance's header (File Meta + dataset up to Pixel Data). Strings trimmed; null = absent.</summary>
internal sealed record InstanceHeader
{
    public string? TransferSyntaxUid { get; init; }
    public string? SopClassUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }

    public string? PatientId { get; init; }
    public string? IssuerOfPatientId { get; init; }
    public NationalIdentity? Ins { get; init; }
    public string? PatientName { get; init; }
    public string? PatientBirthDate { get; init; }
    public string? PatientSex { get; init; }

    public string? StudyDate { get; init; }
    public string? StudyTime { get; init; }
    public string? AccessionNumber { get; init; }
    public string? StudyId { get; init; }
    public string? StudyDescription { get; init; }
    public string? ReferringPhysicianName { get; init; }

    public string? Modality { get; init; }
    public int? SeriesNumber { get; init; }
    public string? SeriesDescription { get; init; }
    public string? BodyPartExamined { get; init; }

    public int? InstanceNumber { get; init; }
    public int? NumberOfFrames { get; init; }
    public int? Rows { get; init; }
    public int? Columns { get; init; }
    public int? BitsAllocated { get; init; }

    public string? SpecificCharacterSet { get; init; }
    public string? TimezoneOffsetFromUtc { get; init; }
    public string? PerformedProcedureStepStartDate { get; init; }
    public string? PerformedProcedureStepStartTime { get; init; }

    /// <summary>Frame byte ranges, offsets from the first byte of the Part 10 file.</summary>
    public FrameLayout Frames { get; init; } = FrameLayout.None;
}
