using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Observability;
using Mirc.Grains.Patients;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Studies;

namespace Mirc.Grains.Ingest;

/// <summary>
/// <see cref="IInstanceIngestor"/>: stage (stream + content digest + header capture; where the store says so, written at
/// the final name instead) → parse → validate → resolve patient
/// ∥ reserve the SOP Instance UID in the study grain ∥ journal intent and staged data made durable by one flush round →
/// promote the blob → manifest with its change-feed events (the commit point) ∥ index row → ack; the projections of the
/// commit's events that the follower also keeps (retention schedule, patient study list, the index row's durability)
/// are not waited for (see <see cref="InstanceRegistrar"/>).
/// Atomic: when any step fails, or the caller cancels, before the answer, <see cref="FailedIngestUndo"/> takes back every
/// step already made, so nothing of a failed store is visible or served and a re-send starts clean.
/// Singleton, thread-safe, bounded by <see cref="IngestOptions.MaxConcurrency"/>.
/// </summary>
public sealed partial class InstanceIngestor : IInstanceIngestor, IDisposable
{
    private static readonly TimeSpan InProgressRetryDelay = TimeSpan.FromMilliseconds(20);

    // The staged copy needs no durability of its own (the flush round of its intent persists it, or, where the store
    // has no shared rounds, the move to the final key), nor a rename of its own: its key is new and read by nobody else.
    private static readonly BlobWriteOptions StagedWrite = new() { ContentType = "application/dicom", Durable = false, InPlace = true };
    private readonly IBlobStore _blobs;
    private readonly InstanceBlobLayout _layout;
    private readonly IGrainFactory _grains;
    private readonly PatientResolver _patients;
    private readonly InstanceRegistrar _registrar;
    private readonly IngestJournal _journal;
    private readonly FailedIngestUndo _undo;
    private readonly UnidentifiedPatients _unidentified;
    private readonly IAuditTrail _audit;
    private readonly IngestOptions _options;
    private readonly ILogger<InstanceIngestor> _logger;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _slots;

    internal InstanceIngestor(
        IBlobStore blobs,
        InstanceBlobLayout layout,
        IGrainFactory grains,
        PatientResolver patients,
        InstanceRegistrar registrar,
        IngestJournal journal,
        FailedIngestUndo undo,
        UnidentifiedPatients unidentified,
        IAuditTrail audit,
        IOptions<IngestOptions> options,
        ILogger<InstanceIngestor> logger,
        TimeProvider? clock = null)
    {
        _blobs = blobs;
        _layout = layout;
        _grains = grains;
        _patients = patients;
        _registrar = registrar;
        _journal = journal;
        _undo = undo;
        _unidentified = unidentified;
        _audit = audit;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
    }

    /// <inheritdoc />
    public async Task<IngestOutcome> IngestAsync(Stream instance, IngestRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(request);
        var startedAt = Stopwatch.GetTimestamp();
        ArchiveMetrics.IngestQueued();
        bool admitted;
        try
        {
            admitted = await _slots.WaitAsync(_options.QueueTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ArchiveMetrics.IngestSlotRefused();
            throw;
        }

        if (!admitted)
        {
            ArchiveMetrics.IngestSlotRefused();
            LogBusy(_logger, request.Caller.EstablishmentId);
            var busy = IngestOutcome.Failure(IngestStatus.OutOfResources, "Too many instances in flight; retry later.", request.AffectedSopClassUid, request.AffectedSopInstanceUid);
            ArchiveMetrics.IngestCompleted(busy, startedAt);
            return busy;
        }

        ArchiveMetrics.IngestStarted();
        try
        {
            var outcome = await IngestCoreAsync(instance, request, cancellationToken).ConfigureAwait(false);
            ArchiveMetrics.IngestCompleted(outcome, startedAt);
            return outcome;
        }
        finally
        {
            ArchiveMetrics.IngestEnded();
            _slots.Release();
        }
    }

    private async Task<IngestOutcome> IngestCoreAsync(Stream instance, IngestRequest request, CancellationToken cancellationToken)
    {
        Stream source = instance;
        if (request.Payload == IngestPayload.Dataset)
        {
            if (string.IsNullOrEmpty(request.TransferSyntaxUid) || string.IsNullOrEmpty(request.AffectedSopClassUid) || string.IsNullOrEmpty(request.AffectedSopInstanceUid))
            {
                return IngestOutcome.Failure(IngestStatus.CannotUnderstand, "A bare dataset needs its transfer syntax and affected SOP class/instance UIDs.", request.AffectedSopClassUid, request.AffectedSopInstanceUid);
            }

            var meta = FileMetaHeaderWriter.Build(request.AffectedSopClassUid, request.AffectedSopInstanceUid, request.TransferSyntaxUid, _options.ImplementationClassUid, _options.ImplementationVersionName, request.Caller.CallingAeTitle);
            source = new PrefixedReadStream(meta, instance);
        }

        using var capture = new HeaderCaptureStream(source, _options.HeaderCaptureBytes);
        var (target, parsedFirst) = await FinalTargetAsync(capture, request, cancellationToken).ConfigureAwait(false);
        var staged = _layout.NewStagingKey(); // where the bytes are: the staging key, or their final name (see FinalTargetAsync)
        // What this store wrote (a failed write removes its own) and removes unless promoted — that version only: a name
        // written at directly may meanwhile hold another store's promoted bytes (it won the reservation ours lost).
        BlobWriteResult? ours = null;
        Task<IngestJournalTicket>? journal = null;
        Task<StudyReference?> identityRecorded = PatientResolver.NoStudyListed;
        string? resolvedPatient = null;
        (IStudyGrain Study, StoredInstance Instance)? reserved = null;
        var promoted = false;
        try
        {
            // 1. The bytes, staged (invisible) or at their final name (unreferenced), and hashed; then the header.
            var phase = Stopwatch.GetTimestamp();
            BlobWriteResult written;
            try
            {
                written = target is { } final
                    ? await _blobs.WriteUnlessTakenAsync(final, staged, capture, StagedWrite, cancellationToken).ConfigureAwait(false)
                    : await _blobs.WriteAsync(staged, capture, StagedWrite, cancellationToken).ConfigureAwait(false);
                (staged, ours) = (written.Key, written);
            }
            catch (BlobConcurrencyException) when (target is not null)
            {
                // Found free, then taken before the write committed: another store of this SOP Instance UID, whose blob stays.
                return IngestOutcome.Failure(IngestStatus.ProcessingFailure, "The same SOP Instance UID is still being stored by another request; retry later.", parsedFirst!.SopClassUid, parsedFirst.SopInstanceUid, parsedFirst.StudyInstanceUid);
            }

            var direct = staged == target;

            phase = ArchiveMetrics.IngestPhase("receive", phase);
            var receivedAt = _clock.GetUtcNow();
            InstanceHeader header;
            try
            {
                // Most headers lie within the captured prefix: parsed there in place; else read on from the staged blob.
                header = parsedFirst
                    ?? InstanceHeaderReader.TryRead(capture.Captured, acceptPartial: capture.Captured.Length == written.Length)
                    ?? await ReadStagedHeaderAsync(capture, staged, written.Length, cancellationToken).ConfigureAwait(false);
                if (IngestValidation.NeedsWholeParse(header.Frames, written.Length))
                {
                    await using var whole = new PrefixThenBlobStream(capture.Captured, _blobs, staged, written.Length);
                    await InstanceHeaderReader.CheckWholeAsync(whole, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (InvalidDataException ex)
            {
                return IngestOutcome.Failure(IngestStatus.CannotUnderstand, ex.Message, request.AffectedSopClassUid, request.AffectedSopInstanceUid);
            }

            if (IngestValidation.Validate(header, request, written.Length) is { } invalid)
            {
                return invalid;
            }

            // 2. Durable intent (with the staged data), patient resolution and SOP Instance UID reservation are
            // independent: overlapped. Intent and patient must be durable before the promotion — in one round where a new
            // patient's link and record join the intent's flush; a store that ends before its promotion completes the
            // intent on the way out.
            var finalKey = _layout.GetInstanceKey(header.StudyInstanceUid!, header.SeriesInstanceUid!, header.SopInstanceUid!);
            var stored = new StoredInstance(header, finalKey, written.Length, written.Digest, request.Caller.EstablishmentId, receivedAt);
            var study = _grains.Reference<IStudyGrain>(stored.StudyInstanceUid);
            var intent = _journal.WriteBeforeFlushAsync(IntentOf(stored, staged, request), CancellationToken.None);
            var reservationTask = ReserveAsync(study, stored, cancellationToken);
            var resolutionTask = _patients.ResolveBeforeFlushAsync(stored.LocalPatientId, header.Ins, stored.Demographics, regional => NewStudyAsync(reservationTask, intent, stored, regional)).AsTask();
            journal = JournalAsync(intent, resolutionTask, cancellationToken);
            var reservation = await reservationTask.ConfigureAwait(false);
            if (reservation.Status == ReservationStatus.Granted)
            {
                reserved = (study, stored);
            }

            var resolution = await resolutionTask.ConfigureAwait(false);
            var (regional, regionalFromCache) = (resolution.RegionalPatientId, resolution.FromCache);
            resolvedPatient = regional;
            identityRecorded = resolution.Recorded; // unless it joined the intent's flush, a new patient's record write overlaps the steps below
            var ticket = await journal.ConfigureAwait(false);
            if (reservation.Status != ReservationStatus.Granted)
            {
                await identityRecorded.ConfigureAwait(false);
                if (reservation.Existing is { } existing && new BlobKey(existing.BlobContainer, existing.BlobName) == staged)
                {
                    // The stored instance's blob was lost and these bytes took its free name: the same bytes stay (the
                    // re-send repairs it); others go, and are no copy of it to compare.
                    if (reservation.Status == ReservationStatus.AlreadyStored)
                    {
                        ours = null;
                    }
                    else
                    {
                        return IngestOutcome.Failure(IngestStatus.DuplicateConflict, "A different data set is stored under this SOP Instance UID (its data is missing from storage: an operator must restore it).", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, existing);
                    }
                }

                return await AnswerUngrantedAsync(study, stored, staged, reservation, regional, request, cancellationToken).ConfigureAwait(false);
            }

            // 3. Whose study: the owner decides; a provisional (unidentified) owner is reconciled by an identified instance.
            if (reservation.StudyPatientId is { } owner && owner != regional)
            {
                await identityRecorded.ConfigureAwait(false);
                var decided = await DecidePatientAsync(stored, owner, regional, regionalFromCache).ConfigureAwait(false);
                if (decided is null)
                {
                    // The reservation is released and the intent completed on the way out, as for any store that ends
                    // before its promotion.
                    LogPatientMismatch(_logger, header.SopInstanceUid!, header.StudyInstanceUid!, owner, regional);
                    return IngestOutcome.Failure(IngestStatus.DataSetMismatch, "The study already belongs to another patient.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
                }

                (regional, regionalFromCache) = (decided, false);
            }

            // 4. Promote, then manifest (the commit point), index and patient. Any failure takes everything back.
            phase = ArchiveMetrics.IngestPhase("prepare", phase);
            var studyReference = Task.CompletedTask;
            BlobETag? finalVersion = null;
            var manifestWritten = Task.CompletedTask;
            try
            {
                // Lazily durable: until a later round persists the new name, the durable intent names the staged data,
                // whose promotion the reconciliation finishes after a crash (the acknowledgement does not wait for it).
                // The version at the final name is this store's to take back (an undo removes that version only).
                finalVersion = direct ? written.ETag : (await _blobs.MoveLazilyAsync(staged, finalKey, cancellationToken).ConfigureAwait(false)).ETag;

                promoted = true;
                // A new study (no owner yet) overlaps too: should a concurrent instance claim it for another patient
                // first, the manifest refuses ours and the undo (or the re-resolution below) takes the row back.
                var settled = _options.OverlapIndexWithManifest && (reservation.StudyPatientId ?? regional) == regional;
                // What a new patient's record was written with, if it is this patient's and written by now (else sent as usual).
                var listed = regional == resolvedPatient && identityRecorded.IsCompletedSuccessfully ? identityRecorded.Result : null;
                var (result, reference, manifestWrite) = await _registrar.RegisterAsync(stored, regional, cancellationToken, indexInParallel: settled, listed).ConfigureAwait(false);
                if (result.Status == AddInstanceStatus.PatientMismatch && regionalFromCache)
                {
                    // The cached resolution predates a manual link made on another silo: resolve afresh once.
                    _patients.Invalidate(stored.LocalPatientId);
                    (regional, _) = await _patients.ResolveCachedAsync(stored.LocalPatientId, header.Ins, stored.Demographics).ConfigureAwait(false);
                    (result, reference, manifestWrite) = await _registrar.RegisterAsync(stored, regional, cancellationToken).ConfigureAwait(false);
                }

                // Not waited for on success (a projection of the feed); before an undo, so the undo's removal follows it.
                studyReference = reference;
                manifestWritten = manifestWrite;

                if (result.Status is not (AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored))
                {
                    // Reachable only if the reservation expired meanwhile: the manifest refused, nothing of ours is in it.
                    await UndoAsync(stored, regional, finalVersion, ticket).ConfigureAwait(false);
                    return Rejected(stored, result);
                }

                // The patient record of a new patient, written meanwhile, is durable before the answer.
                await identityRecorded.ConfigureAwait(false);
            }
            catch (Exception)
            {
                await studyReference.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await manifestWritten.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await UndoAsync(stored, regional, finalVersion, ticket).ConfigureAwait(false);
                throw;
            }

            ArchiveMetrics.IngestPhase("commit", phase);
            CompleteIntentWhenWritten(stored, regional, manifestWritten, ticket);
            LogStored(_logger, header.SopInstanceUid!, header.StudyInstanceUid!, written.Length);
            return new IngestOutcome(IngestStatus.Stored, null, stored.ToEntry(), header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, regional);
        }
        catch (IOException ex) when (IsStorageFull(ex))
        {
            LogFailed(_logger, ex, request.AffectedSopInstanceUid);
            return IngestOutcome.Failure(IngestStatus.OutOfResources, "Archive storage is full.", request.AffectedSopClassUid, request.AffectedSopInstanceUid);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex, request.AffectedSopInstanceUid);
            return IngestOutcome.Failure(IngestStatus.ProcessingFailure, "The archive could not store the instance: " + ex.Message, request.AffectedSopClassUid, request.AffectedSopInstanceUid);
        }
        finally
        {
            if (!identityRecorded.IsCompletedSuccessfully)
            {
                // Observed on every path; a failure before the answer already made it a failure.
                await ((Task)identityRecorded).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!promoted)
            {
                if (identityRecorded.IsCompletedSuccessfully && identityRecorded.Result is { } listed && resolvedPatient is not null)
                {
                    // A new patient's record was created listing this instance's study, which the instance never reached.
                    await _undo.TakeBackStudyReferenceQuietlyAsync(listed.StudyInstanceUid, resolvedPatient).ConfigureAwait(false);
                }

                // Never referenced by anything: neither the upload nor, once it is gone, the intent naming it.
                if (ours is { } upload)
                {
                    await DeleteQuietlyAsync(upload).ConfigureAwait(false);
                }

                if (journal is not null)
                {
                    await ((Task)journal).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (journal.IsCompletedSuccessfully)
                    {
                        _journal.Complete(journal.Result);
                    }
                }

                if (reserved is { } held)
                {
                    // Refused for its patient, or failed between the reservation and the promotion (patient resolution,
                    // journal): a re-send must not be told for the reservation's lifetime that it is still being stored.
                    await ReleaseQuietlyAsync(held.Study, held.Instance).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// The answer when the SOP Instance UID is not free: the same instance again (by anyone, whatever its file meta or
    /// transfer syntax: <see cref="InstanceEquivalence"/>) is an idempotent success that completes what an earlier attempt
    /// may have left undone; a different one follows the <see cref="IngestOptions.DuplicatePolicy"/>. The stored object is
    /// touched only by Replace.
    /// </summary>
    private async Task<IngestOutcome> AnswerUngrantedAsync(IStudyGrain study, StoredInstance stored, BlobKey staged, InstanceReservation reservation, string regional, IngestRequest request, CancellationToken cancellationToken)
    {
        var header = stored.Header;
        var status = reservation.Status;
        if (status == ReservationStatus.Conflict && reservation.Existing is { } existing
            && await InstanceEquivalence.SameInstanceAsync(_blobs, staged, new BlobKey(existing.BlobContainer, existing.BlobName), cancellationToken).ConfigureAwait(false))
        {
            status = ReservationStatus.AlreadyStored;
        }

        switch (status)
        {
            case ReservationStatus.AlreadyStored:
                var summary = await study.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                var entry = reservation.Existing!;
                var original = stored with { FinalKey = new BlobKey(entry.BlobContainer, entry.BlobName), Size = entry.Size, Digest = entry.Digest, EstablishmentId = entry.EstablishmentId, ReceivedAt = entry.ReceivedAt };
                await _registrar.CompleteAsync(original, summary.PatientId ?? regional, summary, studyReferenceChanged: true, cancellationToken).ConfigureAwait(false);
                return new IngestOutcome(IngestStatus.AlreadyStored, null, entry, header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, summary.PatientId ?? regional);
            case ReservationStatus.Conflict when reservation.Existing is null:
            case ReservationStatus.InProgress:
                return IngestOutcome.Failure(IngestStatus.ProcessingFailure, "The same SOP Instance UID is still being stored by another request; retry later.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
            case ReservationStatus.Conflict when _options.DuplicatePolicy == DuplicatePolicy.Replace:
                return await ReplaceAsync(study, stored, staged, reservation.Existing!, regional, request, cancellationToken).ConfigureAwait(false);
            case ReservationStatus.Conflict when _options.DuplicatePolicy == DuplicatePolicy.KeepFirst:
                LogDuplicate(_logger, header.SopInstanceUid!, "kept the stored one");
                return new IngestOutcome(IngestStatus.DuplicateDiscarded, "A different data set is already stored under this SOP Instance UID; the stored one is kept and this one discarded.", reservation.Existing, header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
            case ReservationStatus.Conflict:
                LogDuplicate(_logger, header.SopInstanceUid!, "rejected");
                return IngestOutcome.Failure(IngestStatus.DuplicateConflict, "A different data set is already stored under this SOP Instance UID (duplicate policy: Reject).", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, reservation.Existing);
            default:
                return IngestOutcome.Failure(IngestStatus.StudyClosed, "The study is deleted.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
        }
    }

    /// <summary>
    /// The patient the instance goes to when the study already belongs to <paramref name="owner"/> and the instance
    /// resolved to <paramref name="regional"/>; null when it must be refused. An unidentified instance joins the
    /// study's patient; an identified one reconciles a study still held by its provisional patient.
    /// </summary>
    private async Task<string?> DecidePatientAsync(StoredInstance stored, string owner, string regional, bool regionalFromCache)
    {
        if (regionalFromCache)
        {
            // The cached resolution may predate a manual link: resolve afresh before deciding.
            _patients.Invalidate(stored.LocalPatientId);
            (regional, _) = await _patients.ResolveCachedAsync(stored.LocalPatientId, stored.Header.Ins, stored.Demographics).ConfigureAwait(false);
            if (owner == regional)
            {
                return regional;
            }
        }

        if (UnidentifiedPatients.IsProvisional(stored.LocalPatientId))
        {
            return owner;
        }

        return await _unidentified.ReconcileOnArrivalAsync(stored.StudyInstanceUid, owner, regional, stored.SopInstanceUid).ConfigureAwait(false) ? regional : null;
    }

    private async Task UndoAsync(StoredInstance stored, string regional, BlobETag? version, IngestJournalTicket ticket)
    {
        var failed = new FailedIngest(stored.FinalKey.Container, stored.FinalKey.Name, stored.StudyInstanceUid, stored.SopInstanceUid, stored.Digest, regional, version?.Value);
        if (await _undo.UndoOrRecordAsync(failed).ConfigureAwait(false))
        {
            _journal.Complete(ticket);
        }
    }

    private static IngestOutcome Rejected(StoredInstance stored, AddInstanceResult result)
    {
        var status = result.Status switch
        {
            AddInstanceStatus.Conflict => IngestStatus.DuplicateConflict,
            AddInstanceStatus.StudyDeleted => IngestStatus.StudyClosed,
            _ => IngestStatus.DataSetMismatch,
        };
        var detail = result.Status == AddInstanceStatus.PatientMismatch
            ? "The study already belongs to another patient."
            : $"Rejected by the study: {result.Status}.";
        return IngestOutcome.Failure(status, detail, stored.Header.SopClassUid, stored.SopInstanceUid, stored.StudyInstanceUid, result.Existing);
    }

    /// <summary>The intent for <paramref name="stored"/>, naming its staged upload with the length and digest received, and its patient.</summary>
    private static IngestJournalRecord IntentOf(StoredInstance stored, BlobKey staged, IngestRequest request) => new(
        stored.FinalKey.Container, stored.FinalKey.Name, request.Caller.EstablishmentId, request.Caller.CallingAeTitle, request.Caller.ProfessionalId,
        stored.ReceivedAt, staged == stored.FinalKey ? null : staged.Name, stored.Size, stored.Digest, stored.LocalPatientId.IndexKey);

    /// <summary>
    /// The durable <paramref name="intent"/>. It is written without a flush of its own and one round then makes it and the
    /// staged data durable together (where the store writes everything durably, that round is nothing to wait for) — and a
    /// new patient's identity link and record, written for it by <paramref name="resolution"/>: the round begins once they
    /// are written.
    /// </summary>
    private async Task<IngestJournalTicket> JournalAsync(Task<IngestJournalTicket> intent, Task<PatientResolution> resolution, CancellationToken cancellationToken)
    {
        var ticket = await intent.ConfigureAwait(false);
        try
        {
            // A new patient's link and record that join this round are written first; elsewhere they are durable on their
            // own (awaited before the promotion) and the round need not wait for them.
            if (_patients.FirstRecordsJoinCallerFlush && await resolution.ConfigureAwait(false) is { JoinsCallerFlush: true } joining)
            {
                await joining.Recorded.ConfigureAwait(false);
            }

            await _blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _journal.Complete(ticket);
            throw;
        }

        return ticket;
    }

    /// <summary>
    /// The final name to write the bytes at directly, with the header read before them; null for a staged upload that the
    /// promotion renames (or copies). Where the store writes at final names (<see cref="IBlobStore.WritesAtFinalName"/>:
    /// Azure, whose move is a copy, and the data folder's shared flush rounds, which persist the bytes wherever they lie),
    /// an instance whose header lies in its first bytes is written at its final name when that is free
    /// (<see cref="IBlobStore.WriteUnlessTakenAsync"/>), once: no
    /// manifest references it until the commit, a failed store deletes it, a crash leaves it to the reconciliation (its
    /// intent names it) or to the orphan sweep. A taken name (a re-send, a duplicate) gets the staged upload.
    /// </summary>
    private async ValueTask<(BlobKey? Key, InstanceHeader? Header)> FinalTargetAsync(HeaderCaptureStream capture, IngestRequest request, CancellationToken cancellationToken)
    {
        if (_blobs.WritesAtFinalName)
        {
            InstanceHeader? header = null;
            try
            {
                // A header longer than the capture: a larger one (fourfold, up to the bound) rather than a staged write
                // and a rename.
                for (var size = capture.Capacity; ; size = Math.Min(size * 4, _options.MaxHeaderCaptureBytes))
                {
                    var whole = await capture.FillAsync(size, cancellationToken).ConfigureAwait(false);
                    header = InstanceHeaderReader.TryRead(capture.Captured, acceptPartial: whole);
                    if (header is not null || whole || size >= _options.MaxHeaderCaptureBytes)
                    {
                        break;
                    }
                }
            }
            catch (InvalidDataException)
            {
                // Staged, then refused by the same parse after the write, with its own answer.
            }

            if (header is not null && IngestValidation.Validate(header, request, long.MaxValue) is null)
            {
                return (_layout.GetInstanceKey(header.StudyInstanceUid!, header.SeriesInstanceUid!, header.SopInstanceUid!), header);
            }
        }

        return (null, null);
    }

    private async Task<InstanceHeader> ReadStagedHeaderAsync(HeaderCaptureStream capture, BlobKey staged, long length, CancellationToken cancellationToken)
    {
        await using var parse = new PrefixThenBlobStream(capture.Captured, _blobs, staged, length);
        return await InstanceHeaderReader.ReadAsync(parse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ENOSPC (Unix errno 28) or ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL (Windows): answer A700, not 0110.</summary>
    private static bool IsStorageFull(IOException ex) =>
        (ex.HResult & 0xFFFF) is 28 or 0x70 or 0x27 || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What a new patient's record lists at once (<see cref="PatientResolver.ResolveBeforeFlushAsync"/>): this instance's
    /// study as adding it makes it, when the reservation found the study new (granted, no owner); else null, and the
    /// reference waits for the commit as for any patient. Only once the intent is written, which names the instance's
    /// patient: a crash that leaves the record leaves the intent too, whose reconciliation takes the study back if the
    /// store never completes (where writes are durable on their own, Azure; on the filesystem a process crash keeps both).
    /// </summary>
    private static async Task<StudyReference?> NewStudyAsync(Task<InstanceReservation> reservation, Task<IngestJournalTicket> intent, StoredInstance stored, string regional)
    {
        await Task.WhenAll(reservation, intent).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!intent.IsCompletedSuccessfully || !reservation.IsCompletedSuccessfully
            || reservation.Result is not { Status: ReservationStatus.Granted, StudyPatientId: null })
        {
            return null; // a failed reservation or intent is the ingest's to answer
        }

        var summary = StudyGrain.SummaryOfFirstInstance(stored.StudyInstanceUid, stored.ToEntry(), stored.ToStudyAttributes(regional));
        return InstanceRegistrar.ToReference(summary, stored.EstablishmentId, stored.LocalPatientId);
    }

    private async Task<InstanceReservation> ReserveAsync(IStudyGrain study, StoredInstance stored, CancellationToken cancellationToken)
    {
        // The same bytes being stored concurrently (a client retrying while the first attempt is still running):
        // wait for that attempt to finish, then answer AlreadyStored.
        var deadline = _clock.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (true)
        {
            var reservation = await study.ReserveInstanceAsync(stored.SopInstanceUid, stored.Digest).WaitAsync(cancellationToken).ConfigureAwait(false);
            // A conflict with no stored entry is an attempt with other bytes still in flight: wait for it to settle too.
            var settling = reservation.Status == ReservationStatus.InProgress || (reservation.Status == ReservationStatus.Conflict && reservation.Existing is null);
            if (!settling || _clock.GetUtcNow() > deadline)
            {
                return reservation;
            }

            await Task.Delay(InProgressRetryDelay, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReleaseQuietlyAsync(IStudyGrain study, StoredInstance instance)
    {
        try
        {
            await study.ReleaseInstanceAsync(instance.SopInstanceUid, instance.Digest).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // It expires on its own (Mirc:Archive:Manifest:ReservationTimeout).
            LogReleaseFailed(_logger, ex, instance.SopInstanceUid);
        }
    }

    /// <summary>Deletes what this store wrote, that version only.</summary>
    private async Task DeleteQuietlyAsync(BlobWriteResult written)
    {
        try
        {
            await _blobs.DeleteVersionAsync(written.Key, written.ETag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Reconciliation removes what is left behind.
            LogCleanupFailed(_logger, ex, written.Key.ToString());
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {SopUid} of study {StudyUid} ({Bytes} bytes)")]
    private static partial void LogStored(ILogger logger, string sopUid, string studyUid, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{SopUid}: a different data set is already stored under this SOP Instance UID; {Decision}")]
    private static partial void LogDuplicate(ILogger logger, string sopUid, string decision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {SopUid}: study {StudyUid} belongs to patient {Owner}, the instance resolves to {Regional}")]
    private static partial void LogPatientMismatch(ILogger logger, string sopUid, string studyUid, string owner, string regional);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest of {SopUid} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string? sopUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest queue full; refused an instance from {EstablishmentId}")]
    private static partial void LogBusy(ILogger logger, string establishmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the reservation of {SopUid}")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string sopUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete blob {Key}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string key);
}
