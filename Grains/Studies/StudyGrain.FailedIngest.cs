using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Studies;

/// <summary>The undo of an ingest that failed after its manifest commit (see <see cref="IStudyGrain.RemoveFailedInstanceAsync"/>).</summary>
public sealed partial class StudyGrain
{
    private Task _removals = Task.CompletedTask;

    /// <inheritdoc />
    /// <remarks>
    /// Removals run one after the other: two failed stores of one study (a batch whose change-feed append failed) would
    /// otherwise rewrite the same manifest segment concurrently, and the loser's undo would wait for its retry.
    /// </remarks>
    public Task<(bool Removed, StudySummary Summary)> RemoveFailedInstanceAsync(string sopInstanceUid, string digest)
    {
        var removal = RemoveAfterAsync(_removals, sopInstanceUid, digest);
        _removals = removal;
        return removal;
    }

    private async Task<(bool Removed, StudySummary Summary)> RemoveAfterAsync(Task previous, string sopInstanceUid, string digest)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // Reported to its own caller.
        }

        return await RemoveFailedInstanceCoreAsync(sopInstanceUid, digest);
    }

    private async Task<(bool Removed, StudySummary Summary)> RemoveFailedInstanceCoreAsync(string sopInstanceUid, string digest)
    {
        await WaitForCommitsAsync();
        ForgetReservation(sopInstanceUid);
        if (!_bySop.TryGetValue(sopInstanceUid, out var entry) || !ContentDigest.SameDigest(entry.Digest, digest))
        {
            if (ChangeFeed.FlushedWithDataFolder)
            {
                // Never in the manifest, but the commit's events went first: should its own take-back have failed, the
                // Create still stands, and this undo (retried until it succeeds) must not end before it is gone.
                await TakeBackUnheldCreatesCoreAsync();
            }

            return (false, BuildSummary());
        }

        // The compensating event first: the Create of this commit may be in the feed, and the removal must never be
        // lost once the manifest forgets the instance.
        await ChangeFeed.AppendAsync([FeedEvent(entry, ChangeFeedAction.Delete)]);
        await _segments.RemoveAsync(sopInstanceUid);
        Unindex(entry);
        var state = _state.State;
        if (state.Status != StudyStatus.Deleted && !_seriesCounters.ContainsKey(entry.SeriesInstanceUid))
        {
            state.Series.RemoveAll(s => s.SeriesInstanceUid == entry.SeriesInstanceUid);
            if (_entries.Count == 0)
            {
                ForgetContents(state);
            }

            // Refused, the summary is read back and the activation rebuilt from the manifest (which no longer has the entry).
            await _state.WriteOrResetAsync(DeactivateOnIdle);
        }

        LogFailedInstanceRemoved(_logger, StudyUid, sopInstanceUid, _entries.Count);
        return (true, BuildSummary());
    }

    /// <inheritdoc />
    public async Task<int> TakeBackUnheldCreatesAsync()
    {
        // Run by the reconciliation, rarely: waiting for the whole flush loop is fine here.
        await WaitForCommitsAsync();
        return await TakeBackUnheldCreatesCoreAsync();
    }

    private async Task<int> TakeBackUnheldCreatesCoreAsync()
    {
        var unheld = (await ChangeFeed.StudyEventsAsync(StudyUid))
            .Where(e => e.Action == ChangeFeedAction.Create && e.State == ChangeFeedState.Current && !_bySop.ContainsKey(e.SopInstanceUid))
            .Select(e => e with { Action = ChangeFeedAction.Delete })
            .ToList();
        if (unheld.Count > 0)
        {
            await ChangeFeed.AppendAsync(unheld);
            LogUnheldCreatesTakenBack(_logger, StudyUid, unheld.Count);
        }

        return unheld.Count;
    }

    /// <summary>
    /// A study without any instance owns nothing: no patient, no attributes, so that a re-send (possibly with a corrected
    /// identity) starts it afresh. The retention date stays, so a re-send lands in the bucket the feed may already have
    /// given the study (an empty study erases as a no-op).
    /// </summary>
    private static void ForgetContents(StudyState state)
    {
        state.Status = StudyStatus.Empty;
        state.PatientId = null;
        state.EstablishmentId = null;
        state.StudyDate = null;
        state.StudyDescription = null;
        state.AccessionNumber = null;
        state.Series.Clear();
    }

    private void Unindex(InstanceEntry entry)
    {
        _entries.RemoveAll(e => string.Equals(e.SopInstanceUid, entry.SopInstanceUid, StringComparison.Ordinal));
        _bySop.Remove(entry.SopInstanceUid);
        if (_seriesCounters.TryGetValue(entry.SeriesInstanceUid, out var c))
        {
            if (c.Count <= 1)
            {
                _seriesCounters.Remove(entry.SeriesInstanceUid);
            }
            else
            {
                _seriesCounters[entry.SeriesInstanceUid] = (c.Count - 1, c.Size - entry.Size);
            }
        }

        _totalSize -= entry.Size;
        _lastReceivedAt = _entries.Count == 0 ? null : _entries.Max(e => e.ReceivedAt);
        _ordered = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: {Count} Create event(s) of instances the manifest does not hold taken back from the change feed")]
    private static partial void LogUnheldCreatesTakenBack(ILogger logger, string studyUid, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: instance {SopUid} of a failed ingest removed from the manifest ({Remaining} left)")]
    private static partial void LogFailedInstanceRemoved(ILogger logger, string studyUid, string sopUid, int remaining);
}
