using Microsoft.Extensions.Logging;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Duplicate policy Replace: a different data set under a stored SOP Instance UID replaces it. The new bytes go to a
/// blob of their own (<see cref="InstanceBlobLayout.GetReplacementKey"/>), journaled; the study grain swaps the manifest
/// entry in one durable write (the commit point: before it the old object is the one served, after it the new one);
/// then the index row and the patient's study reference follow, the replacement is audited as an update, and the old
/// blob is deleted. A failure before the swap deletes the new blob; a failure after it swaps back, so a store answered
/// with a failure leaves the old object intact and served.
/// </summary>
public sealed partial class InstanceIngestor
{
    private async Task<IngestOutcome> ReplaceAsync(IStudyGrain study, StoredInstance stored, BlobKey staged, InstanceEntry existing, string regional, IngestRequest request, CancellationToken cancellationToken)
    {
        var header = stored.Header;
        var summary = await study.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (summary.PatientId is { } owner && owner != regional)
        {
            if (await DecidePatientAsync(stored, owner, regional, regionalFromCache: true).ConfigureAwait(false) is not { } decided)
            {
                LogPatientMismatch(_logger, stored.SopInstanceUid, stored.StudyInstanceUid, owner, regional);
                return IngestOutcome.Failure(IngestStatus.DataSetMismatch, "The study already belongs to another patient.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
            }

            regional = decided;
        }

        var key = _layout.GetReplacementKey(stored.StudyInstanceUid, header.SeriesInstanceUid!, stored.SopInstanceUid, stored.Digest);
        var replacement = stored with { FinalKey = key };
        var ticket = await _journal.WriteAsync(new IngestJournalRecord(key.Container, key.Name, request.Caller.EstablishmentId, request.Caller.CallingAeTitle, request.Caller.ProfessionalId, stored.ReceivedAt), cancellationToken).ConfigureAwait(false);
        AddInstanceResult result;
        BlobETag? version = null;
        try
        {
            version = (await _blobs.MoveLazilyAsync(staged, key, cancellationToken).ConfigureAwait(false)).ETag;
            result = await study.ReplaceInstanceAsync(replacement.ToEntry(), existing.Digest, replacement.ToStudyAttributes(regional)).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Status == AddInstanceStatus.AlreadyStored)
            {
                // The same replacement, stored concurrently by another request: the same bytes at the same key, now
                // under our lazily moved copy, which no manifest write of ours made durable: flush before answering.
                await _blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
                _journal.Complete(ticket);
                return new IngestOutcome(IngestStatus.AlreadyStored, null, result.Existing, header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, regional);
            }

            if (result.Status != AddInstanceStatus.Added)
            {
                // Nothing swapped: only the new blob is ours.
                await UndoAsync(replacement, regional, version, ticket).ConfigureAwait(false);
                return result.Status == AddInstanceStatus.Conflict
                    ? IngestOutcome.Failure(IngestStatus.ProcessingFailure, "The stored object changed while this one was replacing it; retry.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid)
                    : Rejected(replacement, result);
            }

            await _registrar.CompleteAsync(replacement, regional, result.Summary, result.StudyReferenceChanged, cancellationToken).ConfigureAwait(false);
            await _audit.RecordAsync(UpdateEvent(request.Caller, regional, stored, existing), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await TakeBackReplacementAsync(study, replacement, existing, regional, version, ticket).ConfigureAwait(false);
            throw;
        }

        await DeleteReplacedAsync(stored, existing, regional).ConfigureAwait(false);
        _journal.Complete(ticket);
        LogReplaced(_logger, stored.SopInstanceUid, existing.Digest, stored.Digest);
        return new IngestOutcome(IngestStatus.Replaced, "A different data set was stored under this SOP Instance UID; it is replaced (duplicate policy: Replace).",
            replacement.ToEntry(), header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, regional);
    }

    /// <summary>
    /// After a failure: if the swap happened (or its outcome is unknown and the manifest shows it), swap back and re-index
    /// the old object; then the new blob goes. When this fails too, the journal intent stays and the start-up
    /// reconciliation rolls the replacement forward (fully visible, never half).
    /// </summary>
    private async Task TakeBackReplacementAsync(IStudyGrain study, StoredInstance replacement, InstanceEntry existing, string regional, BlobETag? version, IngestJournalTicket ticket)
    {
        try
        {
            var current = await study.GetInstanceAsync(replacement.SopInstanceUid).ConfigureAwait(false);
            if (current is not null && ContentDigest.SameDigest(current.Digest, replacement.Digest))
            {
                var old = await ReadStoredAsync(existing).ConfigureAwait(false);
                var back = await study.ReplaceInstanceAsync(existing, replacement.Digest, old.ToStudyAttributes(regional)).ConfigureAwait(false);
                if (back.Status is not (AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored))
                {
                    throw new InvalidOperationException($"The study refused to restore {replacement.SopInstanceUid}: {back.Status}.");
                }

                try
                {
                    await _registrar.CompleteAsync(old, regional, back.Summary, back.StudyReferenceChanged, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The old object is what the manifest serves again; only a write that failed after its commit would
                    // leave the replacement's attributes in the index row until the instance is indexed again.
                    LogReplaceReindexFailed(_logger, ex, replacement.SopInstanceUid);
                }
            }

            await UndoAsync(replacement, regional, version, ticket).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogReplaceTakeBackFailed(_logger, ex, replacement.SopInstanceUid);
        }
    }

    /// <summary>The old object's blob, now referenced by nothing; a failed delete is recorded for the reconciliation.</summary>
    private async Task DeleteReplacedAsync(StoredInstance stored, InstanceEntry existing, string regional)
    {
        var old = new BlobKey(existing.BlobContainer, existing.BlobName);
        try
        {
            await _blobs.DeleteAsync(old, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCleanupFailed(_logger, ex, old.ToString());
            // No hash: the undo must never remove a manifest entry here (the same old bytes may be stored again by then).
            await _undo.UndoOrRecordAsync(new FailedIngest(old.Container, old.Name, stored.StudyInstanceUid, stored.SopInstanceUid, string.Empty, regional)).ConfigureAwait(false);
        }
    }

    private async Task<StoredInstance> ReadStoredAsync(InstanceEntry entry)
    {
        var key = new BlobKey(entry.BlobContainer, entry.BlobName);
        InstanceHeader header;
        await using (var content = await _blobs.OpenReadAsync(key, null, CancellationToken.None).ConfigureAwait(false))
        {
            header = await InstanceHeaderReader.ReadAsync(content, CancellationToken.None).ConfigureAwait(false);
        }

        return new StoredInstance(header, key, entry.Size, entry.Digest, entry.EstablishmentId, entry.ReceivedAt);
    }

    private AuditEvent UpdateEvent(IngestCaller caller, string regional, StoredInstance stored, InstanceEntry existing) => new()
    {
        Timestamp = _clock.GetUtcNow(),
        Action = AuditAction.Update,
        Outcome = AuditOutcome.Success,
        ActorId = caller.ProfessionalId ?? (caller.CallingAeTitle is { } ae ? "ae:" + ae : null),
        ActorRpps = caller.ProfessionalId,
        ActorEstablishmentId = caller.EstablishmentId,
        Source = caller.CallingAeTitle is { } calling ? $"dicom:{calling}@{caller.RemoteAddress ?? "?"}" : caller.RemoteAddress,
        PatientId = regional,
        StudyUids = [stored.StudyInstanceUid],
        Detail = $"SOP Instance {stored.SopInstanceUid} replaced by a different data set (duplicate policy Replace): digest {ContentDigest.HexPrefix(existing.Digest, 16)}… → {ContentDigest.HexPrefix(stored.Digest, 16)}…",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "{SopUid}: replaced (digest {OldDigest} → {NewDigest})")]
    private static partial void LogReplaced(ILogger logger, string sopUid, string oldDigest, string newDigest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{SopUid}: the replacement was taken back, but re-indexing the restored object failed")]
    private static partial void LogReplaceReindexFailed(ILogger logger, Exception exception, string sopUid);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{SopUid}: a failed replacement could not be taken back; its journal intent stays and the reconciliation rolls it forward")]
    private static partial void LogReplaceTakeBackFailed(ILogger logger, Exception exception, string sopUid);
}
