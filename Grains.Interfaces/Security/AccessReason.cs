namespace Mirc.Grains.Interfaces.Security;

/// <summary>Why an access was allowed or denied (for audit and problem details; never shown to hide existence).</summary>
public enum AccessReason
{
    /// <summary>The study belongs to the principal's establishment.</summary>
    OwnEstablishment = 0,

    /// <summary>Another establishment's study, shared by consent with an active care relationship.</summary>
    ConsentAndCareRelationship = 1,

    /// <summary>Another establishment's study, regionally shared by its producer and allowed by consent.</summary>
    RegionalSharing = 2,

    /// <summary>Emergency access (break-the-glass), flagged for review.</summary>
    BreakTheGlass = 3,

    /// <summary>Allowed by an administrative or data-protection role.</summary>
    AdministrativeRole = 4,

    /// <summary>Allowed because the role permits this non-image action (declaring care, recording consent).</summary>
    RolePermits = 5,

    /// <summary>Denied: the role does not permit this action.</summary>
    RoleNotPermitted = 100,

    /// <summary>Denied: the patient opposed sharing, refused this establishment, or (opt-in) never consented.</summary>
    ConsentDenied = 101,

    /// <summary>Denied: no active care relationship between the professional and the patient.</summary>
    NoCareRelationship = 102,

    /// <summary>Denied: the producing establishment does not share outside itself.</summary>
    ProducerDoesNotShare = 103,

    /// <summary>Denied: the action concerns another establishment.</summary>
    OtherEstablishment = 104,

    /// <summary>Denied: the request lacks data needed to decide (patient, producing establishment, reason).</summary>
    MissingContext = 105,
}
