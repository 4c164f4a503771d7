namespace Mirc.Grains.Interfaces.Studies;

/// <summary>
/// Decision of the study grain on a new instance. Policy for an SOP Instance UID already in the manifest:
/// identical SHA-256 → <see cref="AlreadyStored"/> (idempotent success, nothing changes); different bytes →
/// <see cref="Conflict"/> (rejected, the original stays intact and served).
/// </summary>
public enum AddInstanceStatus
{
    /// <summary>Recorded durably in the manifest.</summary>
    Added = 0,

    /// <summary>Same SOP Instance UID with identical bytes was already stored: idempotent success.</summary>
    AlreadyStored = 1,

    /// <summary>Same SOP Instance UID with different bytes already stored: rejected.</summary>
    Conflict = 2,

    /// <summary>The study is deleted; it does not accept instances.</summary>
    StudyDeleted = 3,

    /// <summary>The study belongs to another patient than the instance claims.</summary>
    PatientMismatch = 4,
}
