using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Studies;

/// <summary>
/// Persistent summary of a study: bounded (at most one manifest segment of per-instance data, <see cref="FirstSegment"/>);
/// rewritten when a series, the study attributes, the status, the number of manifest segments or the first segment change.
/// </summary>
[GenerateSerializer, Alias("mirc.StudyState")]
public sealed class StudyState
{
    /// <summary>Status.</summary>
    [Id(0)] public StudyStatus Status { get; set; }

    /// <summary>Regional patient id.</summary>
    [Id(1)] public string? PatientId { get; set; }

    /// <summary>Producing establishment (first sender).</summary>
    [Id(2)] public string? EstablishmentId { get; set; }

    /// <summary>Study Date.</summary>
    [Id(3)] public string? StudyDate { get; set; }

    /// <summary>Study Description.</summary>
    [Id(4)] public string? StudyDescription { get; set; }

    /// <summary>Accession Number.</summary>
    [Id(5)] public string? AccessionNumber { get; set; }

    /// <summary>Series attributes, first-received order (counters are derived from the manifest, not stored here).</summary>
    [Id(6)] public List<SeriesSummary> Series { get; set; } = [];

    /// <summary>
    /// Number of manifest segments opened so far: segment i lives in state <c>manifest-i</c>, except segment 0 when
    /// <see cref="FirstSegment"/> holds it.
    /// </summary>
    [Id(7)] public int SegmentCount { get; set; }

    /// <summary>When the first instance was received (drives retention).</summary>
    [Id(8)] public DateTimeOffset? FirstReceivedAt { get; set; }

    /// <summary>Tombstone of a deletion: when.</summary>
    [Id(9)] public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Tombstone of a deletion: who.</summary>
    [Id(10)] public string? DeletedBy { get; set; }

    /// <summary>Tombstone of a deletion: why.</summary>
    [Id(11)] public string? DeletionReason { get; set; }

    /// <summary>Whether every purge step of the deletion (blobs, manifest, index, patient) completed.</summary>
    [Id(12)] public bool Purged { get; set; }

    /// <summary>The erasure's progress (resumed from here after a failure or a restart).</summary>
    [Id(13)] public ErasureStep Erasure { get; set; }

    /// <summary>Instances the study held when its erasure began (for the audit record, written last).</summary>
    [Id(14)] public int ErasedInstances { get; set; }

    /// <summary>Bytes the study held when its erasure began.</summary>
    [Id(15)] public long ErasedBytes { get; set; }

    /// <summary>
    /// The manifest's first segment, kept in this record for a study whose first segment opened since the summary can
    /// hold it (null for earlier studies: their segment 0 is the record <c>manifest-0</c>). A study of up to one segment
    /// of instances — most radiographs — is then one record: one write per commit, one read per activation.
    /// </summary>
    [Id(16)] public List<InstanceEntry>? FirstSegment { get; set; }
}
