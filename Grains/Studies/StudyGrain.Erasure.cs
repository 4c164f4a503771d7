using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Studies;

/// <summary>
/// Erasure of the study grain: a state machine persisted in <see cref="StudyState.Erasure"/> (tombstone → blobs →
/// manifest → index rows → patient link → audit → erased). Each step is idempotent and its completion is written
/// before the next begins, so calling <see cref="DeleteAsync"/> again after any failure or restart resumes where
/// the erasure stopped and finishes it, with exactly one audit record.
/// </summary>
public sealed partial class StudyGrain
{
    private const int DeleteParallelism = 8;

    // The erasure under way in this activation: a second caller joins it instead of interleaving its writes.
    private Task<StudyDeletion>? _erasing;

    /// <inheritdoc />
    public async Task<StudyDeletion> DeleteAsync(string reason, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (_erasing is { } running)
        {
            return await running;
        }

        _erasing = EraseAsync(reason, actor);
        try
        {
            return await _erasing;
        }
        catch
        {
            // The storage may hold a version this activation did not see (an ETag conflict): the next attempt reloads
            // the persisted step instead of repeating this activation's stale view.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _erasing = null;
        }
    }

    private async Task<StudyDeletion> EraseAsync(string reason, string actor)
    {
        await WaitForCommitsAsync();
        var state = _state.State;
        if (state.Status == StudyStatus.Empty && state.PatientId is null)
        {
            return new StudyDeletion { Existed = false };
        }

        var wasDeleted = state.Status == StudyStatus.Deleted;
        if (wasDeleted && (state.Purged || state.Erasure == ErasureStep.Erased))
        {
            return Outcome(state, wasDeleted: true);
        }

        // Resuming an erasure persisted at its audit step: the record may already be durable (the crash came between
        // the audit flush and the state write), so look before writing a second one.
        var resumingAudit = state.Erasure == ErasureStep.Auditing;
        if (!wasDeleted)
        {
            // The tombstone first: from here on ingest and retrieval see a deleted study, whatever the erasure's fate.
            state.Status = StudyStatus.Deleted;
            state.DeletedAt = _clock.GetUtcNow();
            state.DeletedBy = actor;
            state.DeletionReason = reason;
            state.ErasedInstances = _entries.Count;
            state.ErasedBytes = _totalSize;
            await AdvanceAsync(ErasureStep.DeletingBlobs);
        }
        else if (state.Erasure == ErasureStep.None)
        {
            // Tombstoned before erasure steps were recorded (older data folders): every step is idempotent, start over.
            state.Erasure = ErasureStep.DeletingBlobs;
        }

        if (state.Erasure == ErasureStep.DeletingBlobs)
        {
            // The feed hears of the erasure while the manifest still names the instances. A step retried after a failure
            // appends its Delete events again: consumers treat a Delete as idempotent.
            await ChangeFeed.AppendAsync(Array.ConvertAll(_entries.ToArray(), e => FeedEvent(e, ChangeFeedAction.Delete)));
            var blobs = ServiceProvider.GetRequiredService<IBlobStore>();
            await Parallel.ForEachAsync(
                _entries.ToArray(),
                new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism, TaskScheduler = TaskScheduler.Default },
                async (entry, ct) => await blobs.DeleteAsync(new BlobKey(entry.BlobContainer, entry.BlobName), null, ct));
            await AdvanceAsync(ErasureStep.ClearingManifest);
        }

        if (state.Erasure == ErasureStep.ClearingManifest)
        {
            await _segments.ClearAsync();
            _entries.Clear();
            _bySop.Clear();
            _seriesCounters.Clear();
            _reservations.Clear();
            _totalSize = 0;
            _ordered = null;
            _segments = new ManifestSegmentStore(ManifestStorage(), this.GetGrainId(), _state);
            state.SegmentCount = 0;
            await AdvanceAsync(ErasureStep.RemovingIndexRows);
        }

        if (state.Erasure == ErasureStep.RemovingIndexRows)
        {
            await ServiceProvider.GetRequiredService<IQueryIndex>().DeleteStudyAsync(StudyUid);
            await AdvanceAsync(ErasureStep.UnlinkingPatient);
        }

        if (state.Erasure == ErasureStep.UnlinkingPatient)
        {
            if (state.PatientId is { } patient)
            {
                await GrainFactory.Reference<IPatientGrain>(patient).RemoveStudyAsync(StudyUid);
            }

            await AdvanceAsync(ErasureStep.Auditing);
        }

        if (state.Erasure == ErasureStep.Auditing)
        {
            await RecordErasureAuditAsync(state, resumingAudit);
            state.Purged = true;
            await AdvanceAsync(ErasureStep.Erased);
            LogStudyPurged(_logger, StudyUid, state.ErasedInstances, state.ErasedBytes, state.DeletedBy ?? actor, state.DeletionReason ?? reason);
        }

        return Outcome(state, wasDeleted);
    }

    private async Task AdvanceAsync(ErasureStep next)
    {
        _state.State.Erasure = next;
        await _state.WriteStateAsync();
        if (ServiceProvider.GetService<IErasureStepListener>() is { } listener)
        {
            await listener.OnStepPersistedAsync(StudyUid, next);
        }
    }

    private StudyDeletion Outcome(StudyState state, bool wasDeleted) => new()
    {
        Existed = true,
        WasAlreadyDeleted = wasDeleted,
        PatientId = state.PatientId,
        EstablishmentId = state.EstablishmentId,
        InstancesRemoved = wasDeleted ? 0 : state.ErasedInstances,
        BytesRemoved = wasDeleted ? 0 : state.ErasedBytes,
    };

    private async Task RecordErasureAuditAsync(StudyState state, bool mayExist)
    {
        // No silent fallback: a silo without an audit trail is a composition error (the API refuses to start without one).
        var trail = ServiceProvider.GetRequiredService<IAuditTrail>();
        var timestamp = state.DeletedAt ?? _clock.GetUtcNow();
        if (mayExist)
        {
            var existing = await trail.QueryAsync(new AuditFilter
            {
                // A second either side: an audit store may keep coarser timestamps than the tombstone's.
                From = timestamp.AddSeconds(-1),
                To = timestamp.AddSeconds(1),
                PatientId = state.PatientId,
                Actions = [AuditAction.Delete],
                Limit = 100,
            });
            if (existing.Any(r => r.Event.StudyUids.Contains(StudyUid, StringComparer.Ordinal)))
            {
                return;
            }
        }

        await trail.RecordAsync(new AuditEvent
        {
            Timestamp = timestamp,
            Action = AuditAction.Delete,
            Outcome = AuditOutcome.Success,
            ActorId = state.DeletedBy,
            ActorEstablishmentId = state.EstablishmentId,
            PatientId = state.PatientId,
            StudyUids = [StudyUid],
            Detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{state.DeletionReason} ({state.ErasedInstances} instance(s), {state.ErasedBytes} bytes)"),
        });

        // Erasure is irreversible: its audit record must be durable before the caller hears "done".
        await trail.FlushAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid} erased: {Count} instance(s), {Bytes} bytes removed by {Actor} ({Reason})")]
    private static partial void LogStudyPurged(ILogger logger, string studyUid, int count, long bytes, string actor, string reason);
}
