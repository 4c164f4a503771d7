using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retention;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Studies;

/// <summary>Deletion, patient reassignment and retention bookkeeping of the study grain.</summary>
public sealed partial class StudyGrain
{
    private const int DeleteParallelism = 8;

    /// <inheritdoc />
    public async Task<StudyDeletion> DeleteAsync(string reason, string actor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await WaitForCommitsAsync();
        var state = _state.State;
        if (state.Status == StudyStatus.Empty && state.PatientId is null)
        {
            return new StudyDeletion { Existed = false };
        }

        var wasDeleted = state.Status == StudyStatus.Deleted;
        if (wasDeleted && state.Purged)
        {
            return new StudyDeletion { Existed = true, WasAlreadyDeleted = true, PatientId = state.PatientId, EstablishmentId = state.EstablishmentId };
        }

        if (!wasDeleted)
        {
            // The tombstone first: from here on ingest and retrieval see a deleted study, whatever the purge's fate.
            state.Status = StudyStatus.Deleted;
            state.DeletedAt = _clock.GetUtcNow();
            state.DeletedBy = actor;
            state.DeletionReason = reason;
            await _state.WriteStateAsync();
        }

        var entries = _entries.ToArray();
        var bytes = _totalSize;
        var blobs = ServiceProvider.GetRequiredService<IBlobStore>();
        await Parallel.ForEachAsync(
            entries,
            new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism, TaskScheduler = TaskScheduler.Default },
            async (entry, ct) => await blobs.DeleteAsync(new BlobKey(entry.BlobContainer, entry.BlobName), null, ct));

        var indexTask = ServiceProvider.GetRequiredService<IQueryIndex>().DeleteStudyAsync(StudyUid);
        var patientTask = state.PatientId is { } patient
            ? GrainFactory.GetGrain<IPatientGrain>(patient).RemoveStudyAsync(StudyUid)
            : Task.CompletedTask;
        var bucketTask = state.FirstReceivedAt is { } received && state.EstablishmentId is { } establishment
            ? GrainFactory.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(establishment, DateOnly.FromDateTime(received.UtcDateTime), RetentionKeys.Shard(StudyUid))).RemoveAsync(StudyUid)
            : Task.CompletedTask;
        // A purge retried after a failure appends its Delete events again: consumers treat a Delete as idempotent.
        var feedTask = ChangeFeed.AppendAsync(Array.ConvertAll(entries, e => FeedEvent(e, ChangeFeedAction.Delete)));
        await Task.WhenAll(indexTask, patientTask, bucketTask, feedTask, _segments.ClearAsync());
        await RecordDeletionAuditAsync(state, actor, reason, entries.Length, bytes);

        _entries.Clear();
        _bySop.Clear();
        _seriesCounters.Clear();
        _reservations.Clear();
        _totalSize = 0;
        _ordered = null;
        _segments = new ManifestSegmentStore(ManifestStorage(), this.GetGrainId());
        state.SegmentCount = 0;
        state.Purged = true;
        await _state.WriteStateAsync();
        LogStudyPurged(_logger, StudyUid, entries.Length, bytes, actor, reason);
        return new StudyDeletion
        {
            Existed = true,
            WasAlreadyDeleted = wasDeleted,
            PatientId = state.PatientId,
            EstablishmentId = state.EstablishmentId,
            InstancesRemoved = entries.Length,
            BytesRemoved = bytes,
        };
    }

    /// <inheritdoc />
    public async Task<string?> ReassignPatientAsync(string patientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        await WaitForCommitsAsync();
        var previous = _state.State.PatientId;
        if (previous is null || string.Equals(previous, patientId, StringComparison.Ordinal))
        {
            return previous;
        }

        _state.State.PatientId = patientId;
        await _state.WriteStateAsync();
        await ChangeFeed.AppendAsync(_entries.ConvertAll(e => FeedEvent(e, ChangeFeedAction.Update)));
        LogReassigned(_logger, StudyUid, previous, patientId);
        return previous;
    }

    /// <summary>
    /// Lets the group-commit loop drain so that no summary write is in flight (two concurrent writes of one state
    /// would conflict on the ETag). Callers change the state synchronously right after, before any new batch starts.
    /// </summary>
    private async Task WaitForCommitsAsync()
    {
        while (_flushLoop is { } flushing)
        {
            try
            {
                await flushing;
            }
            catch (Exception)
            {
                // Failures are reported to the adders; the loop is over either way.
            }
        }
    }

    /// <summary>
    /// Studies stored before retention bookkeeping existed have no first-received date: register them when they are
    /// next activated (best effort; a failure is retried at the next activation).
    /// </summary>
    private async Task BackfillRetentionAsync()
    {
        var state = _state.State;
        if (state.FirstReceivedAt is not null || state.Status is StudyStatus.Empty or StudyStatus.Deleted || _entries.Count == 0 || state.EstablishmentId is null)
        {
            return;
        }

        try
        {
            var first = _entries.Min(e => e.ReceivedAt);
            await RegisterForRetentionAsync(state.EstablishmentId, first);
            state.FirstReceivedAt = first;
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            state.FirstReceivedAt = null;
            LogBackfillFailed(_logger, ex, StudyUid);
        }
    }

    private async Task RegisterForRetentionAsync(string establishmentId, DateTimeOffset receivedAt)
    {
        var day = DateOnly.FromDateTime(receivedAt.UtcDateTime);
        await Task.WhenAll(
            GrainFactory.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(establishmentId, day, RetentionKeys.Shard(StudyUid))).AddAsync(StudyUid),
            GrainFactory.GetGrain<IRetentionScheduleGrain>(RetentionKeys.Schedule).NoteAsync(establishmentId, day.DayNumber));
    }

    private async Task RecordDeletionAuditAsync(StudyState state, string actor, string reason, int instances, long bytes)
    {
        // No silent fallback: a silo without an audit trail is a composition error (the API refuses to start without one).
        var trail = ServiceProvider.GetRequiredService<IAuditTrail>();
        await trail.RecordAsync(new AuditEvent
        {
            Timestamp = state.DeletedAt ?? _clock.GetUtcNow(),
            Action = AuditAction.Delete,
            Outcome = AuditOutcome.Success,
            ActorId = actor,
            ActorEstablishmentId = state.EstablishmentId,
            PatientId = state.PatientId,
            StudyUids = [StudyUid],
            Detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reason} ({instances} instance(s), {bytes} bytes)"),
        });

        // Deletion is irreversible: its audit record must be durable before the caller hears "done".
        await trail.FlushAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid} deleted: {Count} instance(s), {Bytes} bytes removed by {Actor} ({Reason})")]
    private static partial void LogStudyPurged(ILogger logger, string studyUid, int count, long bytes, string actor, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid} moved from patient {Previous} to {PatientId}")]
    private static partial void LogReassigned(ILogger logger, string studyUid, string previous, string patientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: retention registration of an older study failed; retried at next activation")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception, string studyUid);
}
