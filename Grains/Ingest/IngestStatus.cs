namespace Mirc.Grains.Ingest;

/// <summary>Outcome class of an ingest. Each maps to a DIMSE C-STORE status and a STOW-RS failure reason (see <see cref="IngestOutcome"/>).</summary>
public enum IngestStatus
{
    /// <summary>Stored durably (blob, manifest, patient, index). DIMSE 0000.</summary>
    Stored = 0,

    /// <summary>The same bytes were already stored under this SOP Instance UID: idempotent success. DIMSE 0000.</summary>
    AlreadyStored = 1,

    /// <summary>
    /// Stored, with a warning (e.g. Affected SOP Class differs in a tolerated way, missing Instance Number).
    /// DIMSE B000-ish / STOW warning reason.
    /// </summary>
    StoredWithWarning = 2,

    /// <summary>
    /// A different data set already exists under this SOP Instance UID and the policy is <see cref="DuplicatePolicy.Reject"/>;
    /// the original stays intact. DIMSE 0110 (0111 is not a C-STORE status) with an Error Comment / STOW 0x0110 (HTTP 409).
    /// </summary>
    DuplicateConflict = 10,

    /// <summary>
    /// A different data set already exists under this SOP Instance UID and the policy is <see cref="DuplicatePolicy.KeepFirst"/>:
    /// success, the new data set discarded, the original intact. DIMSE / STOW warning B006 (Elements Discarded).
    /// </summary>
    DuplicateDiscarded = 3,

    /// <summary>
    /// A different data set was stored under this SOP Instance UID and the policy is <see cref="DuplicatePolicy.Replace"/>:
    /// it now replaces that one (durably, audited as an update). DIMSE 0000 / STOW success.
    /// </summary>
    Replaced = 4,

    /// <summary>Dataset does not match the SOP class / the request (UIDs differ, mandatory attribute missing). DIMSE A900 / STOW 0xA900.</summary>
    DataSetMismatch = 11,

    /// <summary>Cannot understand the stream (not DICOM, truncated, bad encoding). DIMSE C000 / STOW 0xC000.</summary>
    CannotUnderstand = 12,

    /// <summary>The instance is not in the study of the STOW URL. STOW 0xA900 + HTTP 409 (PS3.18: conflict on the study).</summary>
    StudyMismatch = 13,

    /// <summary>SOP class not accepted (e.g. not a storage SOP class). DIMSE 0122 / STOW 0x0122.</summary>
    SopClassNotSupported = 14,

    /// <summary>Transfer syntax not supported. DIMSE C000-ish / STOW 0xC122.</summary>
    TransferSyntaxNotSupported = 15,

    /// <summary>Refused: out of resources (storage full, too many in flight). DIMSE A700 / STOW 0xA700.</summary>
    OutOfResources = 20,

    /// <summary>The caller may not store (set by the authorization hook). DIMSE 0124 / STOW 0x0124 (HTTP 403).</summary>
    NotAuthorized = 21,

    /// <summary>Study is deleted and does not accept new instances. DIMSE A900-ish / STOW 0x0110.</summary>
    StudyClosed = 22,

    /// <summary>Unexpected failure (storage error…); nothing acknowledged. DIMSE 0110 / STOW 0x0110.</summary>
    ProcessingFailure = 30,
}
