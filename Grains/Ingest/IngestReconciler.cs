using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Patients;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Crash recovery of the ingest pipeline, run when the silo becomes active and then every
/// <see cref="IngestOptions.ReconcileInterval"/> (and callable on demand): every journal record of another writer that is
/// over — its silo declared dead in the cluster membership, or, when the slot names no live silo, last written more than
/// <see cref="IngestOptions.ReconcileOlderThan"/> ago — names a blob that was (maybe) promoted without its registrations — if the blob is there, manifest, patient and index are completed from it
/// (the client may never have been acknowledged, but the instance is then fully visible, never half-visible);
/// if not, the record is dropped. Staged uploads older than the threshold are deleted. Failed ingests whose own undo
/// failed left an undo record (<see cref="FailedIngestUndo"/>): those are undone first, so a store answered with a
/// failure never becomes visible.
/// </summary>
public sealed partial class IngestReconciler
{
    private readonly IBlobStore _blobs;
    private readonly InstanceBlobLayout _layout;
    private readonly IngestJournal _journal;
    private readonly FailedIngestUndo _undo;
    private readonly PatientResolver _patients;
    private readonly InstanceRegistrar _registrar;
    private readonly IGrainFactory _grains;
    private readonly IngestOptions _options;
    private readonly ILogger<IngestReconciler> _logger;
    private readonly TimeProvider _clock;
    private readonly IClusterMembershipService? _membership;

    internal IngestReconciler(
        IBlobStore blobs,
        InstanceBlobLayout layout,
        IngestJournal journal,
        FailedIngestUndo undo,
        PatientResolver patients,
        InstanceRegistrar registrar,
        IGrainFactory grains,
        IOptions<IngestOptions> options,
        ILogger<IngestReconciler> logger,
        TimeProvider? clock = null,
        IClusterMembershipService? membership = null)
    {
        _membership = membership;
        _blobs = blobs;
        _layout = layout;
        _journal = journal;
        _undo = undo;
        _patients = patients;
        _registrar = registrar;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Runs one reconciliation pass; returns what it did.</summary>
    public async Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _clock.GetUtcNow() - _options.ReconcileOlderThan;
        int completed = 0, dropped = 0, failed = 0, stagedDeleted = 0, undone = 0;

        // Failed ingests first (whatever their age: they are over): their blobs then read as absent to the journal pass.
        await foreach (var (key, record) in _undo.ListRecordedAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (record is not null)
                {
                    await _undo.UndoAsync(record, cancellationToken).ConfigureAwait(false);
                    undone++;
                }

                await _blobs.DeleteAsync(key, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                LogRecordFailed(_logger, ex, key.ToString());
            }
        }

        // The staged uploads of intents kept for the next pass: the promotion they may still need.
        var keptStaged = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (key, records) in _journal.ListAsync(blob => IsAbandoned(blob, cutoff), cancellationToken).ConfigureAwait(false))
        {
            var batchFailed = false;
            foreach (var record in records)
            {
                try
                {
                    if (await CompleteAsync(record, cancellationToken).ConfigureAwait(false))
                    {
                        completed++;
                    }
                    else
                    {
                        await TakeBackUnheldCreatesAsync(record, cancellationToken).ConfigureAwait(false);
                        await TakeBackListedStudyAsync(record, cancellationToken).ConfigureAwait(false);
                        dropped++;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    batchFailed = true;
                    LogRecordFailed(_logger, ex, key.ToString());
                }
            }

            // A batch with a failure is kept whole: its other intents are redone idempotently next time.
            if (!batchFailed)
            {
                await _journal.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                keptStaged.UnionWith(records.Select(r => r.StagedName).OfType<string>());
            }
        }

        await foreach (var blob in _blobs.ListAsync(_layout.StagingContainer, null, cancellationToken).ConfigureAwait(false))
        {
            if (blob.LastModified <= cutoff && InstanceBlobLayout.IsStagedUpload(blob.Key.Name) && !keptStaged.Contains(blob.Key.Name)
                && await _blobs.DeleteAsync(blob.Key, null, cancellationToken).ConfigureAwait(false))
            {
                stagedDeleted++;
            }
        }

        var report = new ReconciliationReport(completed, dropped, failed, stagedDeleted) { Undone = undone };
        LogReport(_logger, completed, dropped, failed, stagedDeleted, undone);
        return report;
    }

    /// <summary>
    /// A journal slot is over when the membership declared its silo dead (at once: a killed silo's in-flight ingests are
    /// settled by the survivors, not at its next start); a live silo's slot is its own business whatever its age (it may
    /// be undoing that very ingest); a slot naming no silo, or one the membership no longer lists, goes by age.
    /// </summary>
    private bool IsAbandoned(BlobProperties slot, DateTimeOffset cutoff)
    {
        if (_membership is not null && IngestJournalSlotOwner.Parse(slot.Key.Name) is { } owner)
        {
            var status = _membership.CurrentSnapshot.GetSiloStatus(owner);
            if (status == SiloStatus.Dead)
            {
                return true;
            }

            if (status != SiloStatus.None)
            {
                return false;
            }
        }

        return slot.LastModified <= cutoff;
    }

    /// <summary>
    /// A dropped intent's study may have its Create events in the feed without its manifest write (the events are
    /// committed first where the feed is flushed with the data folder): the study grain takes them back.
    /// </summary>
    private async Task TakeBackUnheldCreatesAsync(IngestJournalRecord record, CancellationToken cancellationToken)
    {
        if (InstanceBlobLayout.StudyUidOf(record.FinalName) is { } studyUid)
        {
            await _grains.Reference<IStudyGrain>(studyUid).TakeBackUnheldCreatesAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A dropped intent's instance may have created its new patient's record listing its study (the record is written
    /// before the promotion): the study leaves it again unless it holds instances of that patient.
    /// </summary>
    private async Task TakeBackListedStudyAsync(IngestJournalRecord record, CancellationToken cancellationToken)
    {
        if (record.LocalPatientKey is { } localKey && InstanceBlobLayout.StudyUidOf(record.FinalName) is { } studyUid
            && await _grains.Reference<IPatientIdentityIndexGrain>(localKey).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false) is { } regional)
        {
            await _undo.TakeBackStudyReferenceQuietlyAsync(studyUid, regional).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes the registrations of a promoted blob, first finishing a promotion the crash lost (the intent names the
    /// staged upload); false when there is nothing to complete: no blob, or one that does not hold what was received.
    /// </summary>
    private async Task<bool> CompleteAsync(IngestJournalRecord record, CancellationToken cancellationToken)
    {
        var key = new BlobKey(record.FinalContainer, record.FinalName);
        var properties = await _blobs.TryGetPropertiesAsync(key, cancellationToken).ConfigureAwait(false);
        var staged = record.StagedName is { } name ? new BlobKey(_layout.StagingContainer, name) : (BlobKey?)null;
        if (properties is null && staged is { } upload)
        {
            // Acknowledged with its intent and staged data durable, its promotion's rename not yet: finish it.
            if (await _blobs.TryGetPropertiesAsync(upload, cancellationToken).ConfigureAwait(false) is not { } uploaded
                || !await HoldsReceivedAsync(upload, uploaded, record, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            properties = await _blobs.MoveAsync(upload, key, cancellationToken).ConfigureAwait(false);
            LogPromotionFinished(_logger, key.ToString());
        }
        else if (properties is null || !await HoldsReceivedAsync(key, properties, record, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        InstanceHeader header;
        try
        {
            await using var content = await _blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            header = await InstanceHeaderReader.ReadAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            // A promotion cut short by the crash (its data never reached the disk): the instance was never
            // acknowledged, so nothing references this blob; a resend replaces it.
            LogTornBlob(_logger, ex, key.ToString());
            return false;
        }

        // In the algorithm of an entry already registered for the instance (one stored before the digest changed keeps its
        // SHA-256), so that registered content is recognised as such.
        var study = _grains.Reference<IStudyGrain>(header.StudyInstanceUid!);
        var registered = await study.GetInstanceAsync(header.SopInstanceUid!).ConfigureAwait(false);
        string digest;
        if (registered is null && record.Digest is { } received)
        {
            // Already checked against the blob (HoldsReceivedAsync), in the algorithm a first registration uses.
            digest = received;
        }
        else
        {
            await using var content = await _blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            digest = await ContentDigest.ComputeAsync(content, registered?.Digest, cancellationToken).ConfigureAwait(false);
        }

        var stored = new StoredInstance(header, key, properties.Length, digest, record.EstablishmentId, record.ReceivedAt);
        var regional = await _patients.ResolveAsync(stored.LocalPatientId, header.Ins, stored.Demographics).ConfigureAwait(false);
        var reservation = await study.ReserveInstanceAsync(stored.SopInstanceUid, digest).ConfigureAwait(false);
        switch (reservation.Status)
        {
            case ReservationStatus.Granted:
            case ReservationStatus.InProgress:
                var (result, reference, written) = await _registrar.RegisterAsync(stored, regional, cancellationToken).ConfigureAwait(false);
                await reference.WaitAsync(cancellationToken).ConfigureAwait(false);
                // The intent's slot is deleted after this: the manifest must hold the instance by then.
                await written.WaitAsync(cancellationToken).ConfigureAwait(false);
                LogCompleted(_logger, stored.SopInstanceUid, result.Status);
                return true;
            case ReservationStatus.AlreadyStored:
                var summary = await study.GetSummaryAsync().ConfigureAwait(false);
                await _registrar.CompleteAsync(stored, summary.PatientId ?? regional, summary, true, cancellationToken).ConfigureAwait(false);
                LogCompleted(_logger, stored.SopInstanceUid, AddInstanceStatus.AlreadyStored);
                return true;
            case ReservationStatus.Conflict when reservation.Existing is { } existing
                && (existing.BlobContainer != key.Container || existing.BlobName != key.Name):
                // A replacement interrupted before its manifest swap (or a blob the stored object does not use): the
                // stored object stays, this unreferenced blob goes.
                await _blobs.DeleteAsync(key, null, cancellationToken).ConfigureAwait(false);
                LogOrphanDeleted(_logger, stored.SopInstanceUid, key.ToString());
                return false;
            default:
                // The manifest holds a different object under this UID (the blob was overwritten by an unacknowledged
                // store that lost): nothing to register; an operator must check this instance.
                LogUnrecoverable(_logger, stored.SopInstanceUid, reservation.Status);
                return false;
        }
    }

    /// <summary>
    /// Whether the blob holds the data set the intent received (its length and digest): a blob whose data a crash cut
    /// short, or another store's, is not registered for this intent. Older intents carry neither: any blob passes.
    /// </summary>
    private async Task<bool> HoldsReceivedAsync(BlobKey key, BlobProperties properties, IngestJournalRecord record, CancellationToken cancellationToken)
    {
        var holds = record.Length is not { } length || properties.Length == length;
        if (holds && record.Digest is { } expected)
        {
            await using var content = await _blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            holds = ContentDigest.SameDigest(expected, await ContentDigest.ComputeAsync(content, expected, cancellationToken).ConfigureAwait(false));
        }

        if (!holds)
        {
            LogNotReceived(_logger, key.ToString());
        }

        return holds;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest reconciliation finished the promotion of {Key} (its staged data and intent were durable, its new name not)")]
    private static partial void LogPromotionFinished(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest reconciliation: {Key} does not hold the data set its intent received (cut short by a crash, or another store's); left unregistered")]
    private static partial void LogNotReceived(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest reconciliation: {Completed} completed, {Dropped} dropped, {Failed} failed, {StagedDeleted} staged upload(s) deleted, {Undone} failed ingest(s) undone")]
    private static partial void LogReport(ILogger logger, int completed, int dropped, int failed, int stagedDeleted, int undone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest reconciliation completed {SopUid}: {Status}")]
    private static partial void LogCompleted(ILogger logger, string sopUid, AddInstanceStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest reconciliation: {SopUid} cannot be registered ({Status})")]
    private static partial void LogUnrecoverable(ILogger logger, string sopUid, ReservationStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest reconciliation: {SopUid} is stored in another blob; unreferenced {Key} deleted")]
    private static partial void LogOrphanDeleted(ILogger logger, string sopUid, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest reconciliation: {Key} is not a readable instance (promotion interrupted by a crash); left unregistered")]
    private static partial void LogTornBlob(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest reconciliation failed on journal record {Key}; kept for the next pass")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string key);
}
