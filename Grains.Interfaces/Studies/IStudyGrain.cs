using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Studies;

/// <summary>
/// A study (key: Study Instance UID): small summary state plus the per-instance manifest kept in fixed-size
/// segments, appended by a group-commit loop so concurrent stores share one write and the bytes written per
/// instance do not grow with the study size. Decides the duplicate SOP Instance UID policy (see <see cref="AddInstanceStatus"/>).
/// </summary>
[Alias("mirc.IStudyGrain")]
public interface IStudyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves an SOP Instance UID for content with digest <paramref name="digest"/> before its blob is promoted to
    /// the final key, so that a different object can never overwrite a stored one (the final key depends on the UIDs only).
    /// A reservation expires if AddInstance or Release does not follow in time.
    /// </summary>
    [Alias("Reserve")]
    Task<InstanceReservation> ReserveInstanceAsync(string sopInstanceUid, string digest);

    /// <summary>Releases a reservation after a failed store.</summary>
    [Alias("Release")]
    Task ReleaseInstanceAsync(string sopInstanceUid, string digest);

    /// <summary>
    /// Records a stored instance (its blob is already committed). Returns when the manifest is durable, or — where the
    /// change feed is flushed with the data folder — as soon as the instance's change-feed events are committed and the
    /// manifest holds it in memory, with <see cref="AddInstanceResult.ManifestWritePending"/>: the manifest write follows
    /// (<see cref="WhenManifestWrittenAsync"/>), and the caller's durable ingest intent covers the instance until then.
    /// </summary>
    [Alias("AddInstance")]
    Task<AddInstanceResult> AddInstanceAsync(InstanceEntry entry, StudyAttributes attributes);

    /// <summary>
    /// Returns once the manifest write of the instance (<paramref name="sopInstanceUid"/>, <paramref name="digest"/>) is
    /// over and the written manifest holds it (published lazily: durable with the next flush round); throws when the
    /// manifest does not hold it, e.g. its write failed and the instance was taken back out (the caller registers it again).
    /// </summary>
    [Alias("WhenManifestWritten")]
    Task WhenManifestWrittenAsync(string sopInstanceUid, string digest);

    /// <summary>
    /// Takes back an instance whose ingest failed after its manifest commit (the ingest was never acknowledged): the
    /// entry leaves the manifest durably, and a study left without instances forgets its patient and attributes, as if
    /// it had never received anything. Only the entry with this digest is removed (a different object under the UID
    /// is not the caller's). Returns the summary afterwards, and whether an entry was removed.
    /// </summary>
    [Alias("RemoveFailedInstance")]
    Task<(bool Removed, StudySummary Summary)> RemoveFailedInstanceAsync(string sopInstanceUid, string digest);

    /// <summary>
    /// Makes the change feed agree with the manifest after a crash: an instance whose newest event is a Create the manifest
    /// does not hold (its events were committed, its manifest write never ended) gets a Delete event. Returns how many.
    /// </summary>
    [Alias("TakeBackUnheldCreates")]
    Task<int> TakeBackUnheldCreatesAsync();

    /// <summary>
    /// Swaps the stored entry of <paramref name="replacement"/>'s SOP Instance UID for <paramref name="replacement"/> in one
    /// durable manifest write (duplicate policy Replace; the new blob is already at its own key). Only when the stored
    /// entry still has digest <paramref name="replacedDigest"/> (otherwise <see cref="AddInstanceStatus.Conflict"/> with the
    /// current entry, or AlreadyStored when it already is the replacement). Added = replaced; Existing = the replaced entry.
    /// </summary>
    [Alias("ReplaceInstance")]
    Task<AddInstanceResult> ReplaceInstanceAsync(InstanceEntry replacement, string replacedDigest, StudyAttributes attributes);

    /// <summary>The manifest entry of one instance, or null.</summary>
    [Alias("GetInstance")]
    [ReadOnly]
    Task<InstanceEntry?> GetInstanceAsync(string sopInstanceUid);

    /// <summary>
    /// Manifest entries in retrieval order (series in first-received order, then Instance Number, then arrival),
    /// optionally restricted to one series and/or one instance. Empty for a deleted or unknown study.
    /// </summary>
    [Alias("GetInstances")]
    [ReadOnly]
    Task<IReadOnlyList<InstanceEntry>> GetInstancesAsync(string? seriesInstanceUid = null, string? sopInstanceUid = null);

    /// <summary>
    /// The manifest entries once the manifest writes in flight are over (durable or failed): what the change feed's
    /// projections compare events with, since a batch's Create events may be readable before its manifest write ends.
    /// </summary>
    [Alias("GetSettledInstances")]
    Task<IReadOnlyList<InstanceEntry>> GetSettledInstancesAsync();

    /// <summary>Study summary (status, attributes, series, counters).</summary>
    [Alias("GetSummary")]
    [ReadOnly]
    Task<StudySummary> GetSummaryAsync();

    /// <summary>
    /// Deletes the study for good: status <see cref="StudyStatus.Deleted"/> (new instances are refused), instance blobs,
    /// manifest segments, query-index rows and the patient's study reference removed, and an audit record (action
    /// Delete) durably written. Idempotent: calling it again re-runs whatever purge step a crash left undone.
    /// </summary>
    /// <param name="reason">Why (mandatory free text, kept in the audit trail and the tombstone).</param>
    /// <param name="actor">Who (professional id, or <c>system:retention</c>).</param>
    [Alias("Delete")]
    Task<StudyDeletion> DeleteAsync(string reason, string actor);

    /// <summary>
    /// Moves the study to another regional patient (manual identity link); returns the previous patient id. The caller
    /// moves the patient study references and the index. Calling it again with the same patient appends the study's
    /// Update events again, so a retry after a failure completes the change feed.
    /// </summary>
    [Alias("Reassign")]
    Task<string?> ReassignPatientAsync(string patientId);
}
