namespace Mirc.Grains.Interfaces.Security;

/// <summary>Platform roles of an authenticated party; a principal may hold several.</summary>
[Flags]
public enum MircRoles
{
    /// <summary>No role: nothing is allowed.</summary>
    None = 0,

    /// <summary>Radiologist: reads images, may access other establishments' studies under consent + care relationship.</summary>
    Radiologist = 1,

    /// <summary>Physician: same sharing rights as a radiologist.</summary>
    Physician = 2,

    /// <summary>Imaging technician: stores and sees the studies of their own establishment only.</summary>
    Technician = 4,

    /// <summary>Administrator of an establishment: accounts, deletions and the audit trail of their establishment; no images.</summary>
    EstablishmentAdmin = 8,

    /// <summary>Platform administrator: configuration, deletions, full audit trail; no images.</summary>
    PlatformAdmin = 16,

    /// <summary>Data-protection officer: consent records and the full audit trail; no images.</summary>
    DataProtectionOfficer = 32,

    /// <summary>A machine of an establishment (modality, PACS) identified by its AE title, without a user identity.</summary>
    Device = 64,

    /// <summary>Research manager: defines research cohorts and projects and runs de-identified exports; no images, no re-identification.</summary>
    ResearchManager = 128,
}
