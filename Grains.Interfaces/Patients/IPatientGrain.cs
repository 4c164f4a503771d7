using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Patients;

/// <summary>
/// Regional patient (key: regional patient id, a platform-assigned ULID-like string). Consent is NOT here:
/// it lives in the consent grain keyed by the same id (security area).
/// </summary>
[Alias("mirc.IPatientGrain")]
public interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>Full record (identity, demographics, history, and the studies holding instances of this patient per their own summaries, with fresh counters).</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<PatientRecord> GetAsync();

    /// <summary>Whether the record exists (has at least one identity or study).</summary>
    [Alias("Exists")]
    [ReadOnly]
    Task<bool> ExistsAsync();

    /// <summary>
    /// Called by ingest: makes sure <paramref name="localId"/> (and <paramref name="ins"/>) are linked to this
    /// patient and updates demographics; records an <see cref="IdentityLinkKind.AutoLinked"/> event the first time.
    /// With <paramref name="beforeCallerFlush"/>, the patient's first record is written without a durability round of its
    /// own where the archive's grain state allows it: the caller flushes the blob store next, which makes it durable.
    /// <paramref name="arrivingStudy"/> (a new patient's new study, of the instance being stored) is listed in the record at
    /// once, so the ingest sends no equal reference after its commit; a store that fails takes it back.
    /// </summary>
    [Alias("RegisterIdentity.v2")]
    Task RegisterIdentityAsync(LocalPatientId localId, NationalIdentity? ins, PatientDemographics demographics, bool beforeCallerFlush = false, StudyReference? arrivingStudy = null);

    /// <summary>Adds or refreshes a study reference.</summary>
    [Alias("UpsertStudy")]
    Task UpsertStudyAsync(StudyReference study);

    /// <summary>Whether the patient's study list names <paramref name="studyInstanceUid"/> (the change-feed follower's check).</summary>
    [Alias("HasStudy")]
    [ReadOnly]
    Task<bool> HasStudyAsync(string studyInstanceUid);

    /// <summary>Removes a study reference (study deleted or moved to another patient).</summary>
    [Alias("RemoveStudy")]
    Task RemoveStudyAsync(string studyInstanceUid);

    /// <summary>Applies a manual identity event (ManualLink adds its local id, ManualUnlink removes it) and appends it to the history.</summary>
    [Alias("ApplyLinkEvent")]
    Task ApplyLinkEventAsync(IdentityLinkEvent linkEvent);
}
