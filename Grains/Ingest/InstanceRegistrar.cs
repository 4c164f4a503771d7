using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// The registration half of ingest, shared by the pipeline and the start-up reconciliation: once the blob is at
/// its final key, records it in the study manifest, the patient's study list and the query index (all idempotent).
/// </summary>
internal sealed class InstanceRegistrar
{
    private readonly IGrainFactory _grains;
    private readonly IQueryIndex _index;

    public InstanceRegistrar(IGrainFactory grains, IQueryIndex index)
    {
        _grains = grains;
        _index = index;
    }

    /// <summary>
    /// Manifest, then patient study reference (when the study view changed), then index. Returns the manifest decision.
    /// With <paramref name="indexInParallel"/> (the study already belongs to this patient, so the manifest cannot refuse
    /// the instance for its patient) the index write overlaps the manifest write, and a crash in between is completed
    /// by the journal-driven reconciliation. The index row of an instance the manifest added is written lazily: its
    /// Create event, durable with the manifest, makes the change-feed follower flush (or rewrite) it; any other row is
    /// durable on return.
    /// </summary>
    public async Task<AddInstanceResult> RegisterAsync(StoredInstance instance, string regionalPatientId, CancellationToken cancellationToken, bool indexInParallel = false)
    {
        var study = _grains.GetGrain<IStudyGrain>(instance.StudyInstanceUid);
        if (indexInParallel)
        {
            var addTask = study.AddInstanceAsync(instance.ToEntry(), instance.ToStudyAttributes(regionalPatientId)).WaitAsync(cancellationToken);
            var indexTask = _index.UpsertInstanceLazilyAsync(instance.ToIndexed(regionalPatientId), cancellationToken);
            await Task.WhenAll(addTask, indexTask);
            var added = await addTask;
            if (added.Status != AddInstanceStatus.Added)
            {
                // No new event covers the row: make it durable now.
                await _index.FlushAsync(cancellationToken);
            }

            if (added.Status is AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored && added.StudyReferenceChanged)
            {
                await _grains.GetGrain<IPatientGrain>(regionalPatientId).UpsertStudyAsync(ToReference(added.Summary, instance.EstablishmentId, instance.LocalPatientId)).WaitAsync(cancellationToken);
            }

            return added;
        }

        var result = await study.AddInstanceAsync(instance.ToEntry(), instance.ToStudyAttributes(regionalPatientId)).WaitAsync(cancellationToken);
        if (result.Status is AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored)
        {
            await CompleteAsync(instance, regionalPatientId, result.Summary, result.StudyReferenceChanged, cancellationToken, lazily: result.Status == AddInstanceStatus.Added);
        }

        return result;
    }

    /// <summary>
    /// Patient study reference and index for an instance already in the manifest (also re-run on idempotent retries); the
    /// row is written <paramref name="lazily"/> only when the manifest commit that added the instance has just appended its event.
    /// </summary>
    public async Task CompleteAsync(StoredInstance instance, string regionalPatientId, StudySummary summary, bool studyReferenceChanged, CancellationToken cancellationToken, bool lazily = false)
    {
        var patientTask = studyReferenceChanged
            ? _grains.GetGrain<IPatientGrain>(regionalPatientId).UpsertStudyAsync(ToReference(summary, instance.EstablishmentId, instance.LocalPatientId)).WaitAsync(cancellationToken)
            : Task.CompletedTask;
        var row = instance.ToIndexed(regionalPatientId);
        var indexTask = lazily ? _index.UpsertInstanceLazilyAsync(row, cancellationToken) : _index.UpsertInstanceAsync(row, cancellationToken);
        await Task.WhenAll(patientTask, indexTask);
    }

    internal static StudyReference ToReference(StudySummary summary, string establishmentId, LocalPatientId localId) => new()
    {
        LocalId = localId,
        StudyInstanceUid = summary.StudyInstanceUid,
        EstablishmentId = summary.EstablishmentId ?? establishmentId,
        StudyDate = summary.StudyDate,
        StudyDescription = summary.StudyDescription,
        Modalities = summary.Modalities,
        InstanceCount = summary.InstanceCount,
        Size = summary.Size,
    };
}
