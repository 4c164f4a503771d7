using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Ingest;

/// <summary>Ingest pipeline settings, section <c>Mirc:Archive:Ingest</c>.</summary>
public sealed class IngestOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Archive:Ingest";

    /// <summary>Instances processed at once per silo; further callers wait (back-pressure on the transports).</summary>
    [Range(1, 4096)]
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long a caller may wait for a slot before getting <see cref="IngestStatus.OutOfResources"/> (A700).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of each instance kept in memory while streaming, to parse the header without reading the blob back.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int HeaderCaptureBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Up to how many bytes the capture grows (by fourfold steps) when a header does not end within
    /// <see cref="HeaderCaptureBytes"/>, so that the instance is still written once at its final name; a longer header is
    /// staged and moved. 1 MB holds a Siemens MR's private CSA headers (100–200 KB) with room to spare.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxHeaderCaptureBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Start-up reconciliation only touches staged uploads and journal records older than this, so a restarting node
    /// never interferes with another node's in-flight ingest on shared storage.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReconcileOlderThan { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether the reconciliation runs when the silo becomes active.</summary>
    public bool ReconcileOnStart { get; set; } = true;

    /// <summary>
    /// How often each silo runs the reconciliation again after start-up (zero: only at start-up), so the in-flight ingests
    /// of a silo that died and failed undos of the survivors are settled without waiting for a restart.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an ingest journal slot whose intents have all completed keeps them, waiting for the next batch of
    /// intents to overwrite it, before it is emptied (zero: emptied at once). Under load a slot is reused within
    /// milliseconds, so each batch costs one write instead of a write and an emptying (a storage request each in Azure
    /// mode); the intents it keeps meanwhile are only re-checked, idempotently, by a reconciliation after a crash.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan JournalSlotReuseWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a silo reuses a patient resolution (local id → regional patient) for instances with the same identity
    /// and demographics; zero disables the cache. Manual links invalidate it at once on the silo that makes them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PatientCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the study already belongs to the instance's patient, write the query index at the same time as the manifest
    /// (both durable before the answer) instead of after it: one durable-write latency less per instance.
    /// </summary>
    public bool OverlapIndexWithManifest { get; set; } = true;

    /// <summary>
    /// Maximum number of cached patient resolutions per silo (~0.4 KB each); expired ones are swept when it is reached.
    /// Enough for ~300 new patients/s over the default lifetime.
    /// </summary>
    [Range(1, 10_000_000)]
    public int PatientCacheCapacity { get; set; } = 10_000;

    /// <summary>
    /// What a different data set under an already stored SOP Instance UID gets (the same data set from any sender is always
    /// an idempotent success). Default <see cref="DuplicatePolicy.Reject"/>: the stored object stays and the sender is told;
    /// <see cref="DuplicatePolicy.KeepFirst"/> and <see cref="DuplicatePolicy.Replace"/> are explicit choices.
    /// </summary>
    public DuplicatePolicy DuplicatePolicy { get; set; } = DuplicatePolicy.Reject;

    /// <summary>Implementation Class UID written in File Meta of C-STORE instances.</summary>
    [Required]
    public string ImplementationClassUid { get; set; } = Mirc.Dicom.DicomUids.ImplementationClassUid;

    /// <summary>Implementation Version Name written in File Meta of C-STORE instances (≤ 16 chars).</summary>
    [Required, StringLength(16)]
    public string ImplementationVersionName { get; set; } = Mirc.Dicom.DicomUids.ImplementationVersionName;
}
