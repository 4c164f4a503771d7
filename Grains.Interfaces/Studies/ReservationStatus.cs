namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Answer of <see cref="IStudyGrain.ReserveInstanceAsync"/>.</summary>
public enum ReservationStatus
{
    /// <summary>The SOP Instance UID is free and now reserved for this content: promote the blob, then call AddInstance.</summary>
    Granted = 0,

    /// <summary>Already stored with the same SHA-256: idempotent success, do not touch the stored blob.</summary>
    AlreadyStored = 1,

    /// <summary>Stored (or being stored) with different bytes: reject, do not touch the stored blob.</summary>
    Conflict = 2,

    /// <summary>The same bytes are being stored by another request right now: retry shortly.</summary>
    InProgress = 3,

    /// <summary>The study is deleted.</summary>
    StudyDeleted = 4,
}
