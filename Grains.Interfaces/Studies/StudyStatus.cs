namespace Mirc.Grains.Interfaces.Studies;

/// <summary>Life cycle of a study in the archive.</summary>
public enum StudyStatus
{
    /// <summary>No instance stored yet (the grain exists only virtually).</summary>
    Empty = 0,

    /// <summary>Instances are being received.</summary>
    Receiving = 1,

    /// <summary>Declared complete by an earlier version (kept so its saved state reads back); treated as <see cref="Receiving"/>.</summary>
    Complete = 2,

    /// <summary>Deleted: hidden from query and retrieval; blobs may be purged.</summary>
    Deleted = 3,
}
