namespace Mirc.Grains.Interfaces.Audit;

/// <summary>What an audit record is about.</summary>
public enum AuditAction
{
    /// <summary>Instances stored (C-STORE, STOW-RS).</summary>
    Store = 0,

    /// <summary>A query (C-FIND, QIDO-RS).</summary>
    Query = 1,

    /// <summary>Images or metadata retrieved (C-GET, C-MOVE, WADO).</summary>
    Retrieve = 2,

    /// <summary>A patient's consent changed.</summary>
    ConsentChange = 3,

    /// <summary>Patient identities linked or unlinked.</summary>
    IdentityLink = 4,

    /// <summary>A login (success or failure, see outcome).</summary>
    Login = 5,

    /// <summary>Emergency access (break-the-glass).</summary>
    BreakTheGlass = 6,

    /// <summary>Studies or instances deleted.</summary>
    Delete = 7,

    /// <summary>A care relationship declared or ended.</summary>
    CareRelationship = 8,

    /// <summary>Accounts, keys or configuration changed.</summary>
    Administration = 9,

    /// <summary>The audit trail itself was read, exported or verified.</summary>
    AuditAccess = 10,

    /// <summary>A patient's consent or its history was read.</summary>
    ConsentRead = 11,

    /// <summary>A stored instance replaced by a different data set under the same SOP Instance UID (duplicate policy Replace).</summary>
    Update = 12,

    /// <summary>A research project was defined, or a de-identified export of it started or finished (project and counts).</summary>
    ResearchExport = 13,

    /// <summary>A research project's re-identification table (pseudonym → patient) was read.</summary>
    Reidentification = 14,

    /// <summary>The two-site scrubber rewrote a missing or corrupt blob on one site from the other (or found neither intact).</summary>
    ReplicaRepair = 15,

    /// <summary>The orphan sweep deleted blobs no manifest referenced (older than its grace period).</summary>
    OrphanSweep = 16,
}
