using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retention;

namespace Mirc.Grains.Studies;

/// <summary>Patient reassignment and retention bookkeeping of the study grain (erasure: <c>StudyGrain.Erasure.cs</c>).</summary>
public sealed partial class StudyGrain
{
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid} moved from patient {Previous} to {PatientId}")]
    private static partial void LogReassigned(ILogger logger, string studyUid, string previous, string patientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: retention registration of an older study failed; retried at next activation")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception, string studyUid);
}
