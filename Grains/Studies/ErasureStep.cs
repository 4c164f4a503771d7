namespace Mirc.Grains.Studies;

/// <summary>
/// Where a study's erasure stands, persisted in <see cref="StudyState.Erasure"/> after each step so that an erasure
/// interrupted by a failure or a restart resumes at the step it had not finished. Every step is idempotent.
/// </summary>
[GenerateSerializer, Alias("mirc.ErasureStep")]
public enum ErasureStep
{
    /// <summary>Not being erased (or erased before steps were recorded: see <see cref="StudyState.Purged"/>).</summary>
    None = 0,

    /// <summary>Tombstone written; the instance blobs are being deleted (the manifest still names them).</summary>
    DeletingBlobs = 1,

    /// <summary>Blobs gone; the manifest segments are being cleared.</summary>
    ClearingManifest = 2,

    /// <summary>Manifest gone; the query-index rows are being removed.</summary>
    RemovingIndexRows = 3,

    /// <summary>Index rows gone; the patient's reference to the study is being removed.</summary>
    UnlinkingPatient = 4,

    /// <summary>Everything removed; the one audit record of the erasure is being written.</summary>
    Auditing = 5,

    /// <summary>Done: audit record durable.</summary>
    Erased = 6,
}
