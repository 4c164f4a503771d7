namespace Mirc.Grains.Interfaces.Security;

/// <summary>What a principal attempts; the unit of the authorization decision.</summary>
public enum AccessAction
{
    /// <summary>Find studies (C-FIND, QIDO-RS): same rule as retrieve, applied before results are counted.</summary>
    QueryStudies = 0,

    /// <summary>Open images / metadata (C-GET, C-MOVE, WADO-RS, WADO-URI).</summary>
    RetrieveStudies = 1,

    /// <summary>Store instances (C-STORE, STOW-RS) for the producing establishment.</summary>
    StoreStudies = 2,

    /// <summary>Delete studies.</summary>
    DeleteStudies = 3,

    /// <summary>Read or export the audit trail.</summary>
    ReadAudit = 4,

    /// <summary>Record a consent change on behalf of the patient.</summary>
    ManageConsent = 5,

    /// <summary>Declare a care relationship with a patient.</summary>
    DeclareCareRelationship = 6,

    /// <summary>Emergency access without care relationship (break-the-glass).</summary>
    BreakTheGlass = 7,

    /// <summary>Create or change accounts, keys, establishments.</summary>
    Administer = 8,

    /// <summary>Create an establishment (platform administrators only).</summary>
    CreateEstablishment = 9,

    /// <summary>
    /// Create or change a professional: their establishment membership (<see cref="Administer"/> of the target, and of
    /// the previous one when it changes) and the roles granted before and after.
    /// </summary>
    ManageProfessional = 10,

    /// <summary>Read a patient's consent or its history (same right as recording it).</summary>
    ReadConsent = 11,

    /// <summary>Push a study to another establishment's destination (C-MOVE, /api/shares) under the patient's consent.</summary>
    PushStudy = 12,

    /// <summary>Define research projects and run their de-identified exports (never images, never identities).</summary>
    ExportForResearch = 13,

    /// <summary>Read a research project's re-identification table (pseudonym → patient).</summary>
    Reidentify = 14,

    /// <summary>
    /// Follow the change feed (warehouse, replication): platform-wide readers see every event, an establishment's
    /// devices and administrators those of its own studies (EstablishmentId = the events' establishment, null: all).
    /// </summary>
    ReadChangeFeed = 15,

    /// <summary>
    /// Read "who accessed my images" for one patient: the data-protection officer and platform administrators, and the
    /// administrator of one of the patient's establishments of care (the establishment the patient asks).
    /// </summary>
    ReadPatientAccessReport = 16,
}
