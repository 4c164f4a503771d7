using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Observability;
using Mirc.Grains.Patients;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// <see cref="IInstanceIngestor"/>: stage (stream + SHA-256 + header capture) → parse → validate → resolve patient →
/// reserve the SOP Instance UID in the study grain → journal → promote the blob → manifest → patient → index → ack.
/// Singleton, thread-safe, bounded by <see cref="IngestOptions.MaxConcurrency"/>.
/// </summary>
public sealed partial class InstanceIngestor : IInstanceIngestor, IDisposable
{
    private static readonly TimeSpan InProgressRetryDelay = TimeSpan.FromMilliseconds(20);

    // The staged copy needs no durability of its own: the move to the final key persists it.
    private static readonly BlobWriteOptions StagedWrite = new() { ContentType = "application/dicom", Durable = false };
    private readonly IBlobStore _blobs;
    private readonly InstanceBlobLayout _layout;
    private readonly IGrainFactory _grains;
    private readonly PatientResolver _patients;
    private readonly InstanceRegistrar _registrar;
    private readonly IngestJournal _journal;
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

        var staged = _layout.NewStagingKey();
        var promoted = false;
        using var capture = new HeaderCaptureStream(source, _options.HeaderCaptureBytes);
        var early = WriteEarlyIntentAsync(capture, request, cancellationToken);
        var earlyHandedOver = false;
        try
        {
            var written = await _blobs.WriteAsync(staged, capture, StagedWrite, cancellationToken).ConfigureAwait(false);
            var receivedAt = _clock.GetUtcNow();

            InstanceHeader header;
            try
            {
                await using var parse = new PrefixThenBlobStream(capture.Captured, _blobs, staged, written.Length);
                header = await InstanceHeaderReader.ReadAsync(parse, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                return IngestOutcome.Failure(IngestStatus.CannotUnderstand, ex.Message, request.AffectedSopClassUid, request.AffectedSopInstanceUid);
            }

            if (IngestValidation.Validate(header, request) is { } invalid)
            {
                return invalid;
            }

            var finalKey = _layout.GetInstanceKey(header.StudyInstanceUid!, header.SeriesInstanceUid!, header.SopInstanceUid!);
            var stored = new StoredInstance(header, finalKey, written.Length, written.Sha256Hex, request.Caller.EstablishmentId, receivedAt);
            // The journal write, the patient resolution and the SOP Instance UID reservation are independent: overlap them.
            // The intent must only be durable before the promotion; when the reservation is refused it is simply completed.
            earlyHandedOver = true;
            var journalTask = JournalAsync(early, finalKey, request, receivedAt, cancellationToken);
            var regionalTask = _patients.ResolveCachedAsync(stored.LocalPatientId, header.Ins, stored.Demographics);
            var study = _grains.GetGrain<IStudyGrain>(stored.StudyInstanceUid);
            var reservation = await ReserveAsync(study, stored, cancellationToken).ConfigureAwait(false);
            var (regional, regionalFromCache) = await regionalTask.ConfigureAwait(false);
            var journalTicket = await journalTask.ConfigureAwait(false);
            if (reservation.Status == ReservationStatus.Granted && reservation.StudyPatientId is { } owner && owner != regional)
            {
                if (regionalFromCache)
                {
                    // The cached resolution may predate a manual link: resolve afresh before deciding.
                    _patients.Invalidate(stored.LocalPatientId);
                    (regional, regionalFromCache) = await _patients.ResolveCachedAsync(stored.LocalPatientId, header.Ins, stored.Demographics).ConfigureAwait(false);
                }

                if (owner != regional)
                {
                    _journal.Complete(journalTicket);
                    await study.ReleaseInstanceAsync(stored.SopInstanceUid, stored.Sha256).WaitAsync(cancellationToken).ConfigureAwait(false);
                    LogPatientMismatch(_logger, header.SopInstanceUid!, header.StudyInstanceUid!, owner, regional);
                    return IngestOutcome.Failure(IngestStatus.DataSetMismatch, "The study already belongs to another patient.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
                }
            }

            if (reservation.Status != ReservationStatus.Granted)
            {
                _journal.Complete(journalTicket);
            }

            switch (reservation.Status)
            {
                case ReservationStatus.AlreadyStored:
                    // Same bytes: finish whatever a previous attempt may have left undone, never touch the stored blob.
                    var summary = await study.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                    await _registrar.CompleteAsync(stored, summary.PatientId ?? regional, summary, studyReferenceChanged: true, cancellationToken).ConfigureAwait(false);
                    return new IngestOutcome(IngestStatus.AlreadyStored, null, reservation.Existing, header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, summary.PatientId ?? regional);
                case ReservationStatus.InProgress:
                    return IngestOutcome.Failure(IngestStatus.ProcessingFailure, "The same instance is still being stored by another request; retry later.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
                case ReservationStatus.Conflict:
                    LogConflict(_logger, header.SopInstanceUid!, stored.Sha256, reservation.Existing?.Sha256);
                    return IngestOutcome.Failure(IngestStatus.DuplicateConflict, "A different object is already stored under this SOP Instance UID.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid, reservation.Existing);
                case ReservationStatus.StudyDeleted:
                    return IngestOutcome.Failure(IngestStatus.StudyClosed, "The study is deleted.", header.SopClassUid, header.SopInstanceUid, header.StudyInstanceUid);
            }

            try
            {
                // The reservation guarantees nothing acknowledged lives at the final key: the promotion may become
                // durable with the manifest write that follows (grain state on this same blob store: one durability
                // wait for both, not two).
                await _blobs.MoveLazilyAsync(staged, finalKey, cancellationToken).ConfigureAwait(false);
                promoted = true;
                // When the study already belongs to this patient the manifest cannot refuse the instance for its
                // patient: the index write may overlap the manifest write (one fsync latency less per instance).
                var settled = _options.OverlapIndexWithManifest && reservation.StudyPatientId is not null && reservation.StudyPatientId == regional;
                var result = await _registrar.RegisterAsync(stored, regional, cancellationToken, indexInParallel: settled).ConfigureAwait(false);
                if (result.Status == AddInstanceStatus.PatientMismatch && regionalFromCache)
                {
                    // The cached resolution predates a manual link made on another silo: resolve afresh once.
                    _patients.Invalidate(stored.LocalPatientId);
                    (regional, _) = await _patients.ResolveCachedAsync(stored.LocalPatientId, header.Ins, stored.Demographics).ConfigureAwait(false);
                    result = await _registrar.RegisterAsync(stored, regional, cancellationToken).ConfigureAwait(false);
                }

                if (result.Status is not (AddInstanceStatus.Added or AddInstanceStatus.AlreadyStored))
                {
                    return await RejectAfterPromotionAsync(study, stored, result, cancellationToken).ConfigureAwait(false);
                }

                if (result.Status != AddInstanceStatus.Added)
                {
                    // No manifest write made the promotion durable: wait for it explicitly before answering.
                    await _blobs.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The journal record stays: reconciliation completes or removes the promoted blob.
                await study.ReleaseInstanceAsync(stored.SopInstanceUid, stored.Sha256).ConfigureAwait(false);
                throw;
            }

            _journal.Complete(journalTicket);
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
            // The early intent reads the pooled capture buffer: it must be over before the buffer is returned.
            capture.AbandonPrefix();
            var intent = await early.ConfigureAwait(false);
            if (intent is not null && !earlyHandedOver)
            {
                _journal.Complete(intent.Value.Ticket);
            }

            if (!promoted)
            {
                await DeleteQuietlyAsync(staged).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Writes the journal intent as soon as the header prefix is captured, while the rest of the instance is still
    /// streaming to its staged blob, so the intent's durable write overlaps the blob's instead of following it.
    /// Null when the prefix does not hold the UIDs (then the intent is written after the full parse). Never throws.
    /// </summary>
    private async Task<(BlobKey Key, IngestJournalTicket Ticket)?> WriteEarlyIntentAsync(HeaderCaptureStream capture, IngestRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (!await capture.PrefixReady.ConfigureAwait(false))
            {
                return null;
            }

            InstanceHeader header;
            await using (var prefix = new PrefixedReadStream(capture.Captured, Stream.Null))
            {
                header = await InstanceHeaderReader.ReadAsync(prefix, cancellationToken).ConfigureAwait(false);
            }

            if (header.StudyInstanceUid is null || header.SeriesInstanceUid is null || header.SopInstanceUid is null)
            {
                return null;
            }

            var key = _layout.GetInstanceKey(header.StudyInstanceUid, header.SeriesInstanceUid, header.SopInstanceUid);
            var ticket = await _journal.WriteAsync(new IngestJournalRecord(key.Container, key.Name, request.Caller.EstablishmentId, request.Caller.CallingAeTitle, request.Caller.ProfessionalId, _clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return (key, ticket);
        }
        catch (Exception)
        {
            // Unparseable prefix, cancellation or journal failure: the regular path decides and reports.
            return null;
        }
    }

    /// <summary>The durable intent for <paramref name="finalKey"/>: the early one when it names that key, else a new one.</summary>
    private async Task<IngestJournalTicket> JournalAsync(Task<(BlobKey Key, IngestJournalTicket Ticket)?> early, BlobKey finalKey, IngestRequest request, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (await early.ConfigureAwait(false) is { } intent)
        {
            if (intent.Key == finalKey)
            {
                return intent.Ticket;
            }

            _journal.Complete(intent.Ticket);
        }

        return await _journal.WriteAsync(new IngestJournalRecord(finalKey.Container, finalKey.Name, request.Caller.EstablishmentId, request.Caller.CallingAeTitle, request.Caller.ProfessionalId, receivedAt), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ENOSPC (Unix errno 28) or ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL (Windows): answer A700, not 0110.</summary>
    private static bool IsStorageFull(IOException ex) =>
        (ex.HResult & 0xFFFF) is 28 or 0x70 or 0x27 || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private async Task<InstanceReservation> ReserveAsync(IStudyGrain study, StoredInstance stored, CancellationToken cancellationToken)
    {
        // The same bytes being stored concurrently (a client retrying while the first attempt is still running):
        // wait for that attempt to finish, then answer AlreadyStored.
        var deadline = _clock.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (true)
        {
            var reservation = await study.ReserveInstanceAsync(stored.SopInstanceUid, stored.Sha256).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (reservation.Status != ReservationStatus.InProgress || _clock.GetUtcNow() > deadline)
            {
                return reservation;
            }

            await Task.Delay(InProgressRetryDelay, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IngestOutcome> RejectAfterPromotionAsync(IStudyGrain study, StoredInstance stored, AddInstanceResult result, CancellationToken cancellationToken)
    {
        // Reachable only if the reservation expired meanwhile; the promoted blob is ours, not the manifest's.
        await study.ReleaseInstanceAsync(stored.SopInstanceUid, stored.Sha256).ConfigureAwait(false);
        var status = result.Status switch
        {
            AddInstanceStatus.Conflict => IngestStatus.DuplicateConflict,
            AddInstanceStatus.StudyDeleted => IngestStatus.StudyClosed,
            _ => IngestStatus.DataSetMismatch,
        };
        if (result.Status != AddInstanceStatus.Conflict)
        {
            await DeleteQuietlyAsync(stored.FinalKey).ConfigureAwait(false);
        }

        _ = cancellationToken;
        var detail = result.Status == AddInstanceStatus.PatientMismatch
            ? "The study already belongs to another patient."
            : $"Rejected by the study: {result.Status}.";
        return IngestOutcome.Failure(status, detail, stored.Header.SopClassUid, stored.SopInstanceUid, stored.StudyInstanceUid, result.Existing);
    }

    private async Task DeleteQuietlyAsync(BlobKey key)
    {
        try
        {
            await _blobs.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Reconciliation removes what is left behind.
            LogCleanupFailed(_logger, ex, key.ToString());
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {SopUid} of study {StudyUid} ({Bytes} bytes)")]
    private static partial void LogStored(ILogger logger, string sopUid, string studyUid, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {SopUid}: a different object (SHA-256 {Sha}) is already stored or being stored (existing {ExistingSha})")]
    private static partial void LogConflict(ILogger logger, string sopUid, string sha, string? existingSha);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {SopUid}: study {StudyUid} belongs to patient {Owner}, the instance resolves to {Regional}")]
    private static partial void LogPatientMismatch(ILogger logger, string sopUid, string studyUid, string owner, string regional);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest of {SopUid} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string? sopUid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest queue full; refused an instance from {EstablishmentId}")]
    private static partial void LogBusy(ILogger logger, string establishmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete blob {Key}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string key);
}
