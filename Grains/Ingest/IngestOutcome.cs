using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>Result of <see cref="IInstanceIngestor.IngestAsync"/>.</summary>
/// <param name="Status">Outcome class.</param>
/// <param name="Detail">Human-readable reason (for Error Comment (0000,0902) / STOW failure details); null on plain success.</param>
/// <param name="Instance">The manifest entry of the stored instance (success, AlreadyStored, Replaced: the new one; for DuplicateConflict the original one); otherwise null.</param>
/// <param name="SopClassUid">SOP Class UID as read (or requested) — for STOW ReferencedSOPSequence / FailedSOPSequence.</param>
/// <param name="SopInstanceUid">SOP Instance UID as read (or requested).</param>
/// <param name="StudyInstanceUid">Study Instance UID as read.</param>
/// <param name="PatientId">Regional patient id the instance was attached to (success only).</param>
public sealed record IngestOutcome(
    IngestStatus Status,
    string? Detail,
    InstanceEntry? Instance,
    string? SopClassUid,
    string? SopInstanceUid,
    string? StudyInstanceUid,
    string? PatientId = null)
{
    /// <summary>True for Stored, AlreadyStored and StoredWithWarning: the instance is durable and may be acknowledged.</summary>
    public bool IsSuccess => Status is IngestStatus.Stored or IngestStatus.AlreadyStored or IngestStatus.StoredWithWarning or IngestStatus.DuplicateDiscarded or IngestStatus.Replaced;

    /// <summary>DIMSE C-STORE response status (PS3.4 B.2.3 / PS3.7 C).</summary>
    public ushort DimseStatus => Status switch
    {
        IngestStatus.Stored or IngestStatus.AlreadyStored or IngestStatus.Replaced => 0x0000,
        IngestStatus.StoredWithWarning => 0xB000,
        IngestStatus.DuplicateDiscarded => 0xB006,
        IngestStatus.DuplicateConflict => 0x0110,
        IngestStatus.DataSetMismatch or IngestStatus.StudyMismatch or IngestStatus.StudyClosed => 0xA900,
        IngestStatus.CannotUnderstand or IngestStatus.TransferSyntaxNotSupported => 0xC000,
        IngestStatus.SopClassNotSupported => 0x0122,
        IngestStatus.OutOfResources => 0xA700,
        IngestStatus.NotAuthorized => 0x0124,
        _ => 0x0110,
    };

    /// <summary>STOW-RS Failure Reason (0008,1197) for failures; Warning Reason (0008,1196) 0xB000 for warnings; 0 on success.</summary>
    public ushort StowReason => Status switch
    {
        IngestStatus.Stored or IngestStatus.AlreadyStored or IngestStatus.Replaced => 0x0000,
        IngestStatus.StoredWithWarning => 0xB000,
        IngestStatus.DuplicateDiscarded => 0xB006,
        IngestStatus.DuplicateConflict => 0x0110,
        IngestStatus.DataSetMismatch or IngestStatus.StudyMismatch => 0xA900,
        IngestStatus.CannotUnderstand => 0xC000,
        IngestStatus.TransferSyntaxNotSupported => 0xC122,
        IngestStatus.SopClassNotSupported => 0x0122,
        IngestStatus.OutOfResources => 0xA700,
        IngestStatus.NotAuthorized => 0x0124,
        _ => 0x0110,
    };

    /// <summary>Creates a failure outcome.</summary>
    public static IngestOutcome Failure(IngestStatus status, string detail, string? sopClassUid = null, string? sopInstanceUid = null, string? studyInstanceUid = null, InstanceEntry? existing = null) =>
        new(status, detail, existing, sopClassUid, sopInstanceUid, studyInstanceUid);
}
