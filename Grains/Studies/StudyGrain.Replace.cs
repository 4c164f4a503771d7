using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Studies;

/// <summary>Duplicate policy Replace: the manifest entry swap that is the commit point of a replacement (see <see cref="IStudyGrain.ReplaceInstanceAsync"/>).</summary>
public sealed partial class StudyGrain
{
    /// <inheritdoc />
    public async Task<AddInstanceResult> ReplaceInstanceAsync(InstanceEntry replacement, string replacedDigest, StudyAttributes attributes)
    {
        if (!string.Equals(replacement.StudyInstanceUid, StudyUid, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Instance of study {replacement.StudyInstanceUid} sent to study {StudyUid}.", nameof(replacement));
        }

        await WaitForCommitsAsync();
        var state = _state.State;
        if (state.Status == StudyStatus.Deleted)
        {
            return new AddInstanceResult(AddInstanceStatus.StudyDeleted, null, false, BuildSummary());
        }

        if (!_bySop.TryGetValue(replacement.SopInstanceUid, out var current) || !ContentDigest.SameDigest(current.Digest, replacedDigest))
        {
            // Removed or replaced by someone else meanwhile: the caller decides again from what is stored now.
            var status = current is not null && ContentDigest.SameDigest(current.Digest, replacement.Digest) ? AddInstanceStatus.AlreadyStored : AddInstanceStatus.Conflict;
            return new AddInstanceResult(status, current, false, BuildSummary());
        }

        if (state.PatientId is not null && !string.Equals(state.PatientId, attributes.PatientId, StringComparison.Ordinal))
        {
            LogPatientMismatch(_logger, StudyUid, replacement.SopInstanceUid, state.PatientId, attributes.PatientId);
            return new AddInstanceResult(AddInstanceStatus.PatientMismatch, current, false, BuildSummary());
        }

        // 1. A new series is named before the segment points at it (a named series without entries is dropped at activation).
        var referenceChanged = false;
        var seriesBefore = state.Series.Count;
        if (ApplyAttributes(state, replacement, attributes, ref referenceChanged))
        {
            try
            {
                await _state.WriteStateAsync();
            }
            catch
            {
                state.Series.RemoveRange(seriesBefore, state.Series.Count - seriesBefore);
                DeactivateOnIdle();
                throw;
            }
        }

        // 2. The commit point: one segment write swaps the entries.
        try
        {
            await _segments.ReplaceAsync(replacement);
        }
        catch
        {
            state.Series.RemoveRange(seriesBefore, state.Series.Count - seriesBefore);
            DeactivateOnIdle();
            throw;
        }

        Unindex(current);
        Index(replacement);
        ForgetReservation(replacement.SopInstanceUid);

        // 3. A correction of the study attributes, and a series the replaced instance leaves empty, reach the summary.
        var summaryChanged = false;
        if (!_seriesCounters.ContainsKey(current.SeriesInstanceUid))
        {
            state.Series.RemoveAll(s => s.SeriesInstanceUid == current.SeriesInstanceUid);
            summaryChanged = referenceChanged = true;
        }

        if ((attributes.StudyDate is { } date && date != state.StudyDate)
            || (attributes.StudyDescription is { } description && description != state.StudyDescription)
            || (attributes.AccessionNumber is { } accession && accession != state.AccessionNumber))
        {
            state.StudyDate = attributes.StudyDate ?? state.StudyDate;
            state.StudyDescription = attributes.StudyDescription ?? state.StudyDescription;
            state.AccessionNumber = attributes.AccessionNumber ?? state.AccessionNumber;
            summaryChanged = referenceChanged = true;
        }

        if (summaryChanged)
        {
            try
            {
                await _state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                // The replacement is committed; the summary is rebuilt from the manifest at the next activation.
                LogSummaryAfterReplaceFailed(_logger, ex, StudyUid, replacement.SopInstanceUid);
                DeactivateOnIdle();
            }
        }

        LogInstanceReplaced(_logger, StudyUid, replacement.SopInstanceUid);
        return new AddInstanceResult(AddInstanceStatus.Added, current, referenceChanged, BuildSummary());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Study {StudyUid}: instance {SopUid} replaced by a different data set")]
    private static partial void LogInstanceReplaced(ILogger logger, string studyUid, string sopUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: summary write after the replacement of {SopUid} failed")]
    private static partial void LogSummaryAfterReplaceFailed(ILogger logger, Exception exception, string studyUid, string sopUid);
}
