using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// The registration half of ingest, shared by the pipeline and the start-up reconciliation: once the blob is at
/// its final key, records it in the study manifest, the patient's study list and the query index (all idempotent).
/// </summary>
internal sealed partial class InstanceRegistrar
{
    private readonly IGrainFactory _grains;
    private readonly IQueryIndex _index;
    private readonly ILogger _logger;

    public InstanceRegistrar(IGrainFactory grains, IQueryIndex index, ILogger<InstanceRegistrar>? logger = null)
    {
        _grains = grains;
        _index = index;
        _logger = logger ?? NullLogger<InstanceRegistrar>.Instance;
    }

    /// <summary>
    /// Manifest (the commit point), index and the patient's study reference. With <paramref name="indexInParallel"/>
    /// (the study already belongs to this patient, so the manifest cannot refuse the instance for its patient) the index
    /// write overlaps the manifest write, and a crash in between is completed by the journal-driven reconciliation.
    /// For an instance the manifest has just added, whose Create event is durable with it, the two projections of that
    /// event are not waited for durably: the index row is written lazily (the change-feed follower flushes or rewrites
    /// it), and the patient's study reference is sent and left running (<see cref="Registration.StudyReference"/>: the
    /// patient grain takes calls in order, so a later call sees it; one lost is restored by the follower's
    /// <c>PatientStudyProjection</c>). Anything else is durable on return. <c>listed</c> is the reference a new patient's
    /// first record was written with (<see cref="Patients.PatientResolver.ResolveBeforeFlushAsync"/>) for this regional id:
    /// when the manifest's answer makes the same reference, the patient is not called again (a one-instance study of a new
    /// patient: one grain call of eight).
    /// </summary>
    public async Task<Registration> RegisterAsync(StoredInstance instance, string regionalPatientId, CancellationToken cancellationToken, bool indexInParallel = false, StudyReference? listed = null)
    {
        var study = _grains.Reference<IStudyGrain>(instance.StudyInstanceUid);
        var row = instance.ToIndexed(regionalPatientId);
        AddInstanceResult result;
        if (indexInParallel)
        {
            var addTask = study.AddInstanceAsync(instance.ToEntry(), instance.ToStudyAttributes(regionalPatientId)).WaitAsync(cancellationToken);
            var indexTask = _index.UpsertInstanceLazilyAsync(row, cancellationToken);
            await Task.WhenAll(addTask, indexTask);
            result = await addTask;
            if (result.Status != AddInstanceStatus.Added)
            {
                // No new event covers the row: make it durable now.
                await _index.FlushAsync(cancellationToken);
            }
        }
        else
        {
            result = await study.AddInstanceAsync(instance.ToEntry(), instance.ToStudyAttributes(regionalPatientId)).WaitAsync(cancellationToken);
            if (result.Status is AddInstanceStatus.Added)
            {
                await _index.UpsertInstanceLazilyAsync(row, cancellationToken);
            }
            else if (result.Status is AddInstanceStatus.AlreadyStored)
            {
                await _index.UpsertInstanceAsync(row, cancellationToken);
            }
        }

        var changed = result.Status is AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored && result.StudyReferenceChanged
            ? ToReference(result.Summary, instance.EstablishmentId, instance.LocalPatientId)
            : null;
        var reference = changed is null || changed.Equals(listed) ? Task.CompletedTask : SendReference(regionalPatientId, changed);
        if (result.Status != AddInstanceStatus.Added)
        {
            await reference.WaitAsync(cancellationToken);
        }

        // Asked now, so the study grain answers as soon as its write ends; the caller keeps its intent until then.
        var written = result.ManifestWritePending
            ? study.WhenManifestWrittenAsync(instance.SopInstanceUid, instance.Digest)
            : Task.CompletedTask;
        return new Registration(result, reference, written);
    }

    /// <summary>Patient study reference and index for an instance already in the manifest (also re-run on idempotent retries); both durable on return.</summary>
    public async Task CompleteAsync(StoredInstance instance, string regionalPatientId, StudySummary summary, bool studyReferenceChanged, CancellationToken cancellationToken)
    {
        var patientTask = studyReferenceChanged
            ? _grains.Reference<IPatientGrain>(regionalPatientId).UpsertStudyAsync(ToReference(summary, instance.EstablishmentId, instance.LocalPatientId)).WaitAsync(cancellationToken)
            : Task.CompletedTask;
        var indexTask = _index.UpsertInstanceAsync(instance.ToIndexed(regionalPatientId), cancellationToken);
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

    /// <summary>Sends the reference; a failure is logged here (the follower restores it), whoever awaits the task.</summary>
    private Task SendReference(string regionalPatientId, StudyReference reference)
    {
        var write = _grains.Reference<IPatientGrain>(regionalPatientId).UpsertStudyAsync(reference);
        _ = write.ContinueWith(
            t => LogReferenceFailed(_logger, t.Exception!.GetBaseException(), reference.StudyInstanceUid, regionalPatientId),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return write;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid} could not be added to the study list of patient {PatientId}; the change-feed follower restores it")]
    private static partial void LogReferenceFailed(ILogger logger, Exception exception, string studyUid, string patientId);
}

/// <summary>
/// What <see cref="InstanceRegistrar.RegisterAsync"/> did: the manifest's decision, the patient's study reference write
/// (completed unless the manifest has just added the instance; a caller undoing the store awaits it first, so the undo's
/// removal of the reference comes after it), and the manifest write (completed unless
/// <see cref="AddInstanceResult.ManifestWritePending"/>: the ingest intent must stay until it ends; when it fails, the
/// instance is no longer in the manifest and must be registered again).
/// </summary>
internal readonly record struct Registration(AddInstanceResult Result, Task StudyReference, Task ManifestWritten);
