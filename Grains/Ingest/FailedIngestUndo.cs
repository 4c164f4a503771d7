using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Takes back everything an ingest that failed (or was cancelled) before its acknowledgement may have made visible:
/// patient study reference, query-index row, manifest entry, blob — so a failed store leaves nothing on any read path
/// and a re-send starts clean. Each step is idempotent. When the undo itself fails, a durable undo record (under
/// <c>undo/</c> in the staging container) is left for <see cref="IngestReconciler"/>, which redoes it; the ingest's
/// journal intent is completed only after one or the other, so a crash before either rolls the store forward instead
/// (fully visible, never half).
/// </summary>
internal sealed partial class FailedIngestUndo : IAsyncDisposable
{
    /// <summary>Prefix of undo records in the staging container.</summary>
    public const string Prefix = "undo/";

    // About two minutes of retries in all; then the record waits for the reconciliation pass.
    private const int RetryAttempts = 10;
    private static readonly TimeSpan RetryFirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(15);

    private readonly IBlobStore _blobs;
    private readonly IGrainFactory _grains;
    private readonly IQueryIndex _index;
    private readonly string _container;
    private readonly ILogger _logger;

    // The background retries end with the host (a retry after it would act on a store the process no longer owns); a
    // record left by a stopped retry is redone by the next start's reconciliation.
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _retries = [];

    public FailedIngestUndo(IBlobStore blobs, InstanceBlobLayout layout, IGrainFactory grains, IQueryIndex index, ILogger<FailedIngestUndo> logger)
    {
        _blobs = blobs;
        _container = layout.StagingContainer;
        _grains = grains;
        _index = index;
        _logger = logger;
    }

    /// <summary>Undoes <paramref name="failed"/>; on failure records it durably. False when neither worked (then the journal intent must stay).</summary>
    public async Task<bool> UndoOrRecordAsync(FailedIngest failed)
    {
        try
        {
            await UndoAsync(failed, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            LogUndoFailed(_logger, ex, failed.SopInstanceUid);
        }

        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(failed, FailedIngestJson.Default.FailedIngest);
            var key = new BlobKey(_container, $"{Prefix}{Guid.NewGuid():N}.json");
            await _blobs.WriteIfMatchAsync(key, payload, null, CancellationToken.None).ConfigureAwait(false);
            // The usual cause is a study grain whose silo just died: once the membership has declared it dead (seconds),
            // the grain reactivates elsewhere and the undo goes through. Retrying here takes the failed store's index row
            // out of the queries at once instead of at the next reconciliation pass.
            lock (_retries)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    var retry = Task.Run(() => RetryRecordedAsync(key, failed), CancellationToken.None);
                    _retries.Add(retry);
                    _ = retry.ContinueWith(done => { lock (_retries) _retries.Remove(done); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }

            return true;
        }
        catch (Exception ex)
        {
            LogRecordFailed(_logger, ex, failed.SopInstanceUid);
            return false;
        }
    }

    private async Task RetryRecordedAsync(BlobKey key, FailedIngest failed)
    {
        var delay = RetryFirstDelay;
        for (var attempt = 1; attempt <= RetryAttempts; attempt++)
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RetryMaxDelay.Ticks));
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                bounded.CancelAfter(RetryMaxDelay);
                await UndoAsync(failed, bounded.Token).ConfigureAwait(false);
                await _blobs.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false);
                LogRetrySucceeded(_logger, failed.SopInstanceUid, attempt);
                return;
            }
            catch (Exception ex)
            {
                LogRetryFailed(_logger, ex, failed.SopInstanceUid, attempt);
            }
        }

        // The record stays: the periodic reconciliation pass redoes it.
    }

    /// <summary>Background retries not yet ended (for tests).</summary>
    internal int RetriesInFlight
    {
        get
        {
            lock (_retries)
            {
                return _retries.Count;
            }
        }
    }

    /// <summary>Stops the background retries (the host is stopping) and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_retries)
        {
            _stopping.Cancel();
            running = [.. _retries];
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Patient reference (only when the study is left without instances), index row, manifest entry (only the entry of
    /// this content), blob (only when the manifest does not reference it). The reservation goes with the manifest step.
    /// </summary>
    public async Task UndoAsync(FailedIngest failed, CancellationToken cancellationToken)
    {
        var study = _grains.Reference<IStudyGrain>(failed.StudyInstanceUid);
        var (_, summary) = await study.RemoveFailedInstanceAsync(failed.SopInstanceUid, failed.Digest).WaitAsync(cancellationToken).ConfigureAwait(false);
        var stillStored = await study.GetInstanceAsync(failed.SopInstanceUid).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (stillStored is null)
        {
            // The index row and the blob at the final key are this ingest's: nothing acknowledged holds the UID.
            await _index.DeleteInstanceAsync(failed.SopInstanceUid, cancellationToken).ConfigureAwait(false);
            await DeleteBlobAsync(failed, cancellationToken).ConfigureAwait(false);
        }
        else if (!string.Equals(stillStored.BlobContainer, failed.FinalContainer, StringComparison.Ordinal)
                 || !string.Equals(stillStored.BlobName, failed.FinalName, StringComparison.Ordinal))
        {
            // The stored object lives in another blob (a replacement that failed before its swap, or the old blob of one
            // that succeeded): this blob is referenced by nothing. The index row is the stored object's: kept.
            await DeleteBlobAsync(failed, cancellationToken).ConfigureAwait(false);
        }

        if (failed.RegionalPatientId is { } patient)
        {
            await TakeBackUnlessHeldAsync(summary, patient, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The failed ingest's blob, that version only: once the manifest lets the SOP Instance UID go, a concurrent store of
    /// it (a modality's retry) may already hold the name with its own bytes, which its commit will reference.
    /// </summary>
    private Task<bool> DeleteBlobAsync(FailedIngest failed, CancellationToken cancellationToken)
    {
        var key = new BlobKey(failed.FinalContainer, failed.FinalName);
        return failed.BlobVersion is { } version
            ? _blobs.DeleteVersionAsync(key, new BlobETag(version), cancellationToken)
            : _blobs.DeleteAsync(key, null, cancellationToken);
    }

    /// <summary>
    /// Takes <paramref name="studyInstanceUid"/> out of the study list of <paramref name="patientId"/> unless the study holds
    /// instances of that patient (another store of it may have succeeded meanwhile): a store that ended before its
    /// promotion, whose new patient's record was created listing the study. A failure is logged; the change-feed follower
    /// lists only studies the feed gives the patient.
    /// </summary>
    public async Task TakeBackStudyReferenceQuietlyAsync(string studyInstanceUid, string patientId)
    {
        try
        {
            var summary = await _grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync().ConfigureAwait(false);
            await TakeBackUnlessHeldAsync(summary, patientId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogReferenceNotTakenBack(_logger, ex, studyInstanceUid, patientId);
        }
    }

    /// <summary>
    /// Takes the study of <paramref name="summary"/> out of <paramref name="patientId"/>'s list when it is left without
    /// instances, or its instances are another patient's (a concurrent store claimed it first).
    /// </summary>
    private async Task TakeBackUnlessHeldAsync(StudySummary summary, string patientId, CancellationToken cancellationToken)
    {
        if (summary.InstanceCount == 0 || !string.Equals(summary.PatientId, patientId, StringComparison.Ordinal))
        {
            await _grains.Reference<IPatientGrain>(patientId).RemoveStudyAsync(summary.StudyInstanceUid).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Undo records left by failed undos, with their keys.</summary>
    public async IAsyncEnumerable<(BlobKey Key, FailedIngest? Failed)> ListRecordedAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in _blobs.ListAsync(_container, Prefix, cancellationToken).ConfigureAwait(false))
        {
            var content = await _blobs.TryReadAllAsync(blob.Key, cancellationToken).ConfigureAwait(false);
            FailedIngest? failed = null;
            try
            {
                failed = content is null ? null : JsonSerializer.Deserialize(content.Content.Span, FailedIngestJson.Default.FailedIngest);
            }
            catch (JsonException)
            {
                // Torn record: nothing to undo from it (the journal intent it replaced still names the blob).
            }

            yield return (blob.Key, failed);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Undo of the failed ingest of {SopUid} failed; recorded for the reconciliation")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string sopUid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Undo of the failed ingest of {SopUid} done on retry {Attempt}")]
    private static partial void LogRetrySucceeded(ILogger logger, string sopUid, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Undo of the failed ingest of {SopUid} failed again (retry {Attempt})")]
    private static partial void LogRetryFailed(ILogger logger, Exception exception, string sopUid, int attempt);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Undo of the failed ingest of {SopUid} could not be recorded; its journal intent stays (the store is rolled forward at restart)")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string sopUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid} could not be taken out of the study list of patient {PatientId}")]
    private static partial void LogReferenceNotTakenBack(ILogger logger, Exception exception, string studyUid, string patientId);
}

/// <summary>
/// What a failed ingest may have left: its blob (that version: <paramref name="BlobVersion"/>, the ETag it had once at
/// its final name; null in records written before it was kept, deleted by name), its manifest entry (by content hash),
/// its index row, its patient's study reference.
/// </summary>
internal sealed record FailedIngest(
    string FinalContainer,
    string FinalName,
    string StudyInstanceUid,
    string SopInstanceUid,
    string Digest,
    string? RegionalPatientId,
    string? BlobVersion = null);

/// <summary>Source-generated JSON for <see cref="FailedIngest"/>.</summary>
[JsonSerializable(typeof(FailedIngest))]
internal sealed partial class FailedIngestJson : JsonSerializerContext;
