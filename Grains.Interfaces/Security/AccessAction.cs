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
}
