using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Studies;

/// <summary>Patient reassignment of the study grain (erasure: <c>StudyGrain.Erasure.cs</c>).</summary>
public sealed partial class StudyGrain
{
    /// <inheritdoc />
    public async Task<string?> ReassignPatientAsync(string patientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        await WaitForCommitsAsync();
        var previous = _state.State.PatientId;
        if (previous is null)
        {
            return null;
        }

        if (!string.Equals(previous, patientId, StringComparison.Ordinal))
        {
            // Memory follows storage: a refused write must not leave this activation answering the new owner (a retry
            // would then find nothing to do and the move would be lost with the activation).
            _state.State.PatientId = patientId;
            await _state.WriteOrResetAsync(DeactivateOnIdle);
            LogReassigned(_logger, StudyUid, previous, patientId);
        }

        // Announced on every call, so a retry after a failed append completes the feed (an Update is idempotent).
        await ChangeFeed.AppendAsync(_entries.ConvertAll(e => FeedEvent(e, ChangeFeedAction.Update)));
        return previous;
    }

    /// <summary>
    /// Lets the group-commit loop, the write behind it and its change-feed appends drain so that no summary write is in flight (two
    /// concurrent writes of one state would conflict on the ETag) and every committed instance is indexed in memory.
    /// Callers change the state synchronously right after, before any new batch starts.
    /// </summary>
    private async Task WaitForCommitsAsync()
    {
        while (CommitInFlight() is { } flushing)
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

        // The group-commit loop while it runs, else the manifest's write behind the answers, else the change-feed
        // publication of the last batch while they run.
        Task? CommitInFlight() => _flushLoop ?? (_writeLoop.IsCompleted ? null : _writeLoop) ?? (_published.IsCompleted ? null : _published);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid} moved from patient {Previous} to {PatientId}")]
    private static partial void LogReassigned(ILogger logger, string studyUid, string previous, string patientId);
}
