using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;
using Orleans.Concurrency;
using Orleans.Storage;

namespace Mirc.Grains.Studies;

/// <summary>
/// Study grain. Summary in <c>[PersistentState("study")]</c>, holding the manifest's first segment; the per-instance
/// manifest's further fixed-size segments written directly through the archive <see cref="IGrainStorage"/> (a dynamic
/// number of records does not fit <c>[PersistentState]</c>). Reentrant so that concurrent <see cref="AddInstanceAsync"/>
/// calls queue while a write is in flight and are then committed together in one write (group commit).
/// </summary>
[Reentrant]
public sealed partial class StudyGrain : Grain, IStudyGrain
{
    private readonly IPersistentState<StudyState> _state;
    private readonly StudyManifestOptions _options;
    private readonly ILogger<StudyGrain> _logger;
    private readonly TimeProvider _clock;
    private readonly List<InstanceEntry> _entries = [];
    private readonly Dictionary<string, InstanceEntry> _bySop = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Digest, DateTimeOffset Expires)> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, long Size)> _seriesCounters = new(StringComparer.Ordinal);
    private List<PendingAdd> _pending = [];
    private List<PendingAdd> _committing = [];
    private readonly List<PendingAdd> _publishing = [];
    private Task _published = Task.CompletedTask;
    private Task? _flushLoop;
    private ManifestSegmentStore _segments = null!;
    private IChangeFeed? _changeFeed;
    private IReadOnlyList<InstanceEntry>? _ordered;
    private long _totalSize;
    private DateTimeOffset? _lastReceivedAt;

    /// <summary>Creates the grain.</summary>
    public StudyGrain(
        [PersistentState("study", StorageProviders.Archive)] IPersistentState<StudyState> state,
        IOptions<StudyManifestOptions> options,
        ILogger<StudyGrain> logger,
        TimeProvider? clock = null)
    {
        _state = state;
        _options = options.Value;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    private string StudyUid => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _segments = new ManifestSegmentStore(ManifestStorage(), this.GetGrainId(), _state);
        foreach (var entry in await _segments.LoadAsync(_state.State.SegmentCount))
        {
            Index(entry);
        }

        if (_state.State.Status is StudyStatus.Receiving or StudyStatus.Complete)
        {
            // Same for a series named by a summary write whose segment write then failed.
            _state.State.Series.RemoveAll(s => !_seriesCounters.ContainsKey(s.SeriesInstanceUid));
        }

        if (_entries.Count == 0 && _state.State.Status is StudyStatus.Receiving or StudyStatus.Complete)
        {
            // A commit whose summary write succeeded and whose segment write failed: the study holds nothing, so it
            // must not keep the patient of an instance that was never stored (persisted with the next commit).
            ForgetContents(_state.State);
        }

        // Studies stored before the first-received date was recorded: their earliest instance's (persisted with the
        // next summary write). The retention projection reads it from the summary.
        if (_state.State.FirstReceivedAt is null && _entries.Count > 0)
        {
            _state.State.FirstReceivedAt = _entries.Min(e => e.ReceivedAt);
        }
    }

    /// <inheritdoc />
    public Task<InstanceReservation> ReserveInstanceAsync(string sopInstanceUid, string digest)
    {
        if (_state.State.Status == StudyStatus.Deleted)
        {
            return Task.FromResult(new InstanceReservation(ReservationStatus.StudyDeleted, null));
        }

        if (_bySop.TryGetValue(sopInstanceUid, out var existing))
        {
            var status = ContentDigest.SameDigest(existing.Digest, digest) ? ReservationStatus.AlreadyStored : ReservationStatus.Conflict;
            return Task.FromResult(new InstanceReservation(status, existing));
        }

        var now = _clock.GetUtcNow();
        if (_reservations.TryGetValue(sopInstanceUid, out var held) && held.Expires > now)
        {
            var status = ContentDigest.SameDigest(held.Digest, digest) ? ReservationStatus.InProgress : ReservationStatus.Conflict;
            return Task.FromResult(new InstanceReservation(status, null));
        }

        _reservations[sopInstanceUid] = (digest, now + _options.ReservationTimeout);
        // A reservation lives in this activation only: the study's (short) idle age must not forget it before it
        // expires, or a concurrent store of the same instance would be granted instead of told it is in progress.
        DelayDeactivation(_options.ReservationTimeout);
        return Task.FromResult(new InstanceReservation(ReservationStatus.Granted, null) { StudyPatientId = _state.State.PatientId });
    }

    /// <inheritdoc />
    public Task ReleaseInstanceAsync(string sopInstanceUid, string digest)
    {
        if (_reservations.TryGetValue(sopInstanceUid, out var held) && ContentDigest.SameDigest(held.Digest, digest))
        {
            ForgetReservation(sopInstanceUid);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<AddInstanceResult> AddInstanceAsync(InstanceEntry entry, StudyAttributes attributes)
    {
        if (!string.Equals(entry.StudyInstanceUid, StudyUid, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Instance of study {entry.StudyInstanceUid} sent to study {StudyUid}.", nameof(entry));
        }

        if (_state.State.Status == StudyStatus.Deleted)
        {
            return new AddInstanceResult(AddInstanceStatus.StudyDeleted, null, false, BuildSummary());
        }

        if (_bySop.TryGetValue(entry.SopInstanceUid, out var existing) || TryFindPending(entry.SopInstanceUid, out existing))
        {
            var status = ContentDigest.SameDigest(existing!.Digest, entry.Digest) ? AddInstanceStatus.AlreadyStored : AddInstanceStatus.Conflict;
            // Held but not written yet (or not even answered): the caller waits for that write before it forgets its intent.
            var unwritten = _writesBehind.ContainsKey(entry.SopInstanceUid) || (ChangeFeed.FlushedWithDataFolder && !_bySop.ContainsKey(entry.SopInstanceUid));
            return new AddInstanceResult(status, existing, false, BuildSummary()) { ManifestWritePending = unwritten };
        }

        var patient = _state.State.PatientId ?? _pending.FirstOrDefault()?.Attributes.PatientId;
        if (patient is not null && !string.Equals(patient, attributes.PatientId, StringComparison.Ordinal))
        {
            LogPatientMismatch(_logger, StudyUid, entry.SopInstanceUid, patient, attributes.PatientId);
            return new AddInstanceResult(AddInstanceStatus.PatientMismatch, null, false, BuildSummary());
        }

        var add = new PendingAdd(entry, attributes);
        _pending.Add(add);
        _flushLoop ??= FlushLoopAsync();
        var changed = await add.Completion.Task;
        ForgetReservation(entry.SopInstanceUid);
        // Events first, the answer comes before the write (which may even have failed by now): the caller asks.
        return new AddInstanceResult(AddInstanceStatus.Added, null, changed, BuildSummary()) { ManifestWritePending = ChangeFeed.FlushedWithDataFolder };
    }

    /// <summary>Drops a reservation; the last one gone, the activation is collectable after its normal idle age again.</summary>
    private void ForgetReservation(string sopInstanceUid)
    {
        if (_reservations.Remove(sopInstanceUid) && _reservations.Count == 0)
        {
            DelayDeactivation(TimeSpan.Zero);
        }
    }

    /// <inheritdoc />
    public Task<InstanceEntry?> GetInstanceAsync(string sopInstanceUid) =>
        Task.FromResult(_state.State.Status != StudyStatus.Deleted && _bySop.TryGetValue(sopInstanceUid, out var e) ? e : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<InstanceEntry>> GetInstancesAsync(string? seriesInstanceUid = null, string? sopInstanceUid = null)
    {
        if (_state.State.Status == StudyStatus.Deleted)
        {
            return Task.FromResult<IReadOnlyList<InstanceEntry>>([]);
        }

        var ordered = _ordered ??= StudyInstanceOrder.Sort(_entries, _state.State.Series);
        if (seriesInstanceUid is null && sopInstanceUid is null)
        {
            return Task.FromResult(ordered);
        }

        IReadOnlyList<InstanceEntry> filtered = ordered
            .Where(e => (seriesInstanceUid is null || e.SeriesInstanceUid == seriesInstanceUid)
                && (sopInstanceUid is null || e.SopInstanceUid == sopInstanceUid))
            .ToArray();
        return Task.FromResult(filtered);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<InstanceEntry>> GetSettledInstancesAsync()
    {
        // The batches whose events may already be in the feed: the one being written and those being published. Not the
        // whole flush loop: under a steady stream of instances it never ends, and the follower would wait for it.
        var inFlight = _committing.Concat(_publishing).Select(add => (Task)add.Completion.Task).ToArray();
        // Stays on the grain's scheduler (ContinueOnCapturedContext); a failed batch was reported to its adders.
        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return await GetInstancesAsync();
    }

    /// <inheritdoc />
    public Task<StudySummary> GetSummaryAsync() => Task.FromResult(BuildSummary());

    /// <summary>
    /// Group commit. Where the feed is flushed with the data folder (<see cref="IChangeFeed.FlushedWithDataFolder"/>), a
    /// batch's events are committed first, its adders are answered, and its manifest write follows (write-behind: the
    /// ingest's durable intent covers each instance until <see cref="WhenManifestWrittenAsync"/>), whose flush round makes
    /// the events durable too. Elsewhere pipelined: a batch's manifest write, then its change-feed append, which overlaps
    /// the next batch's manifest write; each append waits for the one before. Either way the feed keeps the manifest's order.
    /// </summary>
    private async Task FlushLoopAsync()
    {
        try
        {
            // Let the calls already queued on this activation join the first batch.
            await Task.Yield();
            while (_pending.Count > 0)
            {
                var batch = _pending;
                _pending = [];
                _committing = batch;
                if (ChangeFeed.FlushedWithDataFolder)
                {
                    // Answered once its events are committed; the manifest is written behind (StudyGrain.WriteBehind.cs).
                    await CommitEventsFirstAsync(batch);
                    _committing = [];
                    continue;
                }

                var referenceChanged = await CommitAsync(batch);
                _committing = [];
                if (referenceChanged is { } changed)
                {
                    _publishing.AddRange(batch);
                    _published = PublishAsync(_published, batch, changed);
                }
            }
        }
        finally
        {
            _flushLoop = null;
        }
    }

    /// <summary>Writes a batch into the manifest (pipelined path); null when it failed (its adders have heard why).</summary>
    private async Task<bool?> CommitAsync(List<PendingAdd> batch)
    {
        var staged = Stage(batch);
        var touched = _segments.Add(staged.Additions);
        try
        {
            // Summary first: it names the segments (and holds the first), and a named-but-missing segment reads as empty.
            // Published lazily, as the segments are: the intents of what it adds are held until it is written.
            if (staged.SummaryChanged)
            {
                await ReplayedWrites.WriteAsync(() => _state.WriteStateAsync());
            }

            await _segments.WriteAsync(touched);
        }
        catch (Exception ex)
        {
            _segments.Forget(batch.Select(add => add.Entry.SopInstanceUid).ToHashSet(StringComparer.Ordinal));
            FailStaged(batch, staged, ex);
            return null;
        }

        return staged.ReferenceChanged;
    }

    /// <summary>A staged batch whose commit failed: the summary taken back, its adders told why, the activation let go.</summary>
    private void FailStaged(List<PendingAdd> batch, StagedBatch staged, Exception ex)
    {
        Unstage(staged);
        LogCommitFailed(_logger, ex, StudyUid, batch.Count);

        // The storage may now hold a version we did not see (ETag): reload on next call.
        DeactivateOnIdle();
        foreach (var add in batch)
        {
            add.Completion.TrySetException(ex);
        }
    }

    /// <summary>
    /// Folds a batch into the summary (status, owner, series, segment count, first-received date) and places its entries
    /// in segments (opening new ones; entries placed in the segment the summary holds change the summary too); nothing is
    /// written. <see cref="Unstage"/> takes the summary back.
    /// </summary>
    private StagedBatch Stage(List<PendingAdd> batch)
    {
        var state = _state.State;
        var staged = new StagedBatch(
            new List<(int Segment, InstanceEntry Entry)>(batch.Count),
            state.Series.Count,
            SummaryScalars.Of(state));
        if (state.Status is StudyStatus.Empty or StudyStatus.Complete)
        {
            staged.ReferenceChanged |= state.Status == StudyStatus.Empty;
            state.Status = StudyStatus.Receiving;
            staged.SummaryChanged = true;
        }

        var fill = _segments.LastSegmentFill;
        var referenceChanged = false;
        foreach (var add in batch)
        {
            staged.SummaryChanged |= ApplyAttributes(state, add.Entry, add.Attributes, ref referenceChanged);
            if (_segments.Count == 0 || fill >= _options.SegmentSize)
            {
                _segments.OpenSegment();
                fill = 0;
            }

            staged.Additions.Add((_segments.Count - 1, add.Entry));
            staged.SummaryChanged |= _segments.InSummary(_segments.Count - 1);
            fill++;
        }

        staged.ReferenceChanged |= referenceChanged;
        if (_segments.Count != state.SegmentCount)
        {
            state.SegmentCount = _segments.Count;
            staged.SummaryChanged = true;
        }

        if (state.FirstReceivedAt is null)
        {
            // The day retention counts from. The study enters its retention bucket through the change feed
            // (RetentionScheduleProjection), not here: the commit's Create events guarantee it, off the store's path.
            state.FirstReceivedAt = batch[0].Entry.ReceivedAt;
            staged.SummaryChanged = true;
        }

        return staged;
    }

    /// <summary>Takes a staged batch's summary changes back (its entries never reached the segments' storage).</summary>
    private void Unstage(StagedBatch staged)
    {
        var state = _state.State;
        staged.Previous.RestoreTo(state);
        state.Series.RemoveRange(staged.PreviousSeriesCount, state.Series.Count - staged.PreviousSeriesCount);
    }

    /// <summary>Appends the Create events of a batch the manifest holds, after those of the batch before; then answers its adders.</summary>
    private async Task PublishAsync(Task previous, List<PendingAdd> batch, bool referenceChanged)
    {
        await previous;
        try
        {
            // The outbox: durable before any adder hears "added", so an acknowledged store always has its event.
            await ChangeFeed.AppendAsync(batch.ConvertAll(add => FeedEvent(add.Entry, ChangeFeedAction.Create)));
        }
        catch (Exception ex)
        {
            // The batch is in the durable manifest: memory follows it, so that each failed adder's undo
            // (RemoveFailedInstanceAsync) finds its instance and takes it back out, compensating event included.
            foreach (var add in batch)
            {
                Index(add.Entry);
            }

            Published(batch);
            LogCommitFailed(_logger, ex, StudyUid, batch.Count);
            foreach (var add in batch)
            {
                add.Completion.TrySetException(ex);
            }

            return;
        }

        Published(batch);
        Answer(batch, referenceChanged);
    }

    /// <summary>Puts a durable batch (manifest and events) in memory and tells its adders.</summary>
    private void Answer(List<PendingAdd> batch, bool referenceChanged)
    {
        foreach (var add in batch)
        {
            Index(add.Entry);
        }

        LogBatchCommitted(_logger, StudyUid, batch.Count, _entries.Count);
        foreach (var add in batch)
        {
            add.Completion.TrySetResult(referenceChanged);
        }
    }

    /// <summary>
    /// The compensating Delete events of a batch whose Create events were committed before its manifest write failed:
    /// readers of the feed may have seen the Creates, and the manifest never held the instances.
    /// </summary>
    private async Task TakeBackEventsAsync(List<ChangeFeedEvent> creates)
    {
        try
        {
            await ChangeFeed.AppendAsync(creates.ConvertAll(e => e with { Action = ChangeFeedAction.Delete }));
        }
        catch (Exception ex)
        {
            // The undo of each failed store takes its Create back again (RemoveFailedInstanceAsync, retried by the
            // reconciliation until it succeeds); the projections consult the manifest meanwhile, so they never index it.
            LogEventsNotTakenBack(_logger, ex, StudyUid, creates.Count);
        }
    }

    // Batches are published in the order they were committed: the oldest is at the head.
    private void Published(List<PendingAdd> batch) => _publishing.RemoveRange(0, batch.Count);

    /// <summary>Folds one instance's study/series attributes into the summary; true when it changed.</summary>
    private static bool ApplyAttributes(StudyState state, InstanceEntry entry, StudyAttributes attributes, ref bool referenceChanged)
    {
        var changed = false;
        if (state.PatientId is null)
        {
            state.PatientId = attributes.PatientId;
            state.EstablishmentId = entry.EstablishmentId;
            state.StudyDate = attributes.StudyDate;
            state.StudyDescription = attributes.StudyDescription;
            state.AccessionNumber = attributes.AccessionNumber;
            changed = referenceChanged = true;
        }

        if (!state.Series.Exists(s => s.SeriesInstanceUid == entry.SeriesInstanceUid))
        {
            var modalityIsNew = attributes.Modality is not null && !state.Series.Exists(s => s.Modality == attributes.Modality);
            state.Series.Add(new SeriesSummary
            {
                SeriesInstanceUid = entry.SeriesInstanceUid,
                Modality = attributes.Modality,
                SeriesNumber = attributes.SeriesNumber,
                SeriesDescription = attributes.SeriesDescription,
            });
            changed = true;
            referenceChanged |= modalityIsNew;
        }

        return changed;
    }

    private void Index(InstanceEntry entry)
    {
        _entries.Add(entry);
        _bySop[entry.SopInstanceUid] = entry;
        _seriesCounters[entry.SeriesInstanceUid] = _seriesCounters.TryGetValue(entry.SeriesInstanceUid, out var c)
            ? (c.Count + 1, c.Size + entry.Size)
            : (1, entry.Size);
        _totalSize += entry.Size;
        if (_lastReceivedAt is null || entry.ReceivedAt > _lastReceivedAt)
        {
            _lastReceivedAt = entry.ReceivedAt;
        }

        _ordered = null;
    }

    /// <summary>
    /// Segment writes publish lazily: an instance is acknowledged once its blob and its ingest-journal intent are durable,
    /// and the journal record is completed only after the segment write, so a crash that loses the segment's new name
    /// loses the completion too and start-up reconciliation adds the instance again.
    /// </summary>
    private IGrainStorage ManifestStorage() =>
        ServiceProvider.GetKeyedService<IGrainStorage>(StorageProviders.ArchiveJournaled)
        ?? ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive);

    // Asked at every commit (whether the events go first, then the append): resolved once per activation.
    private IChangeFeed ChangeFeed => _changeFeed ??= ServiceProvider.GetRequiredService<IChangeFeed>();

    /// <summary>An event about <paramref name="entry"/>, attributed to the study's establishment and patient.</summary>
    private ChangeFeedEvent FeedEvent(InstanceEntry entry, ChangeFeedAction action) =>
        ChangeFeedEvent.Of(StudyUid, entry, action, _state.State.EstablishmentId, _state.State.PatientId);

    private bool TryFindPending(string sopInstanceUid, out InstanceEntry? entry)
    {
        entry = FindUnanswered(sopInstanceUid)?.Entry;
        return entry is not null;
    }

    /// <summary>
    /// The add of <paramref name="sopInstanceUid"/> queued for the next commit, inside the commit in flight or its feed
    /// append: either way not yet answered, nor in <c>_bySop</c>.
    /// </summary>
    private PendingAdd? FindUnanswered(string sopInstanceUid) =>
        _pending.Find(p => p.Entry.SopInstanceUid == sopInstanceUid)
        ?? _committing.Find(p => p.Entry.SopInstanceUid == sopInstanceUid)
        ?? _publishing.Find(p => p.Entry.SopInstanceUid == sopInstanceUid);

    private StudySummary BuildSummary()
    {
        var series = _state.State.Series
            .Select(s => _seriesCounters.TryGetValue(s.SeriesInstanceUid, out var c) ? s with { InstanceCount = c.Count, Size = c.Size } : s)
            .ToArray();
        return Summarize(StudyUid, _state.State, series, _entries.Count, _totalSize, _lastReceivedAt);
    }

    /// <summary>
    /// The summary of a new study once <paramref name="entry"/> is its only instance: what the ingest of a new patient's
    /// first instance lists in the patient record it creates, so the reference sent after the commit changes nothing.
    /// </summary>
    internal static StudySummary SummaryOfFirstInstance(string studyInstanceUid, InstanceEntry entry, StudyAttributes attributes)
    {
        var state = new StudyState();
        var referenceChanged = false;
        ApplyAttributes(state, entry, attributes, ref referenceChanged);
        state.FirstReceivedAt = entry.ReceivedAt;
        var series = state.Series.Select(s => s with { InstanceCount = 1, Size = entry.Size }).ToArray();
        return Summarize(studyInstanceUid, state, series, 1, entry.Size, entry.ReceivedAt);
    }

    private static StudySummary Summarize(string studyUid, StudyState state, SeriesSummary[] series, int instanceCount, long size, DateTimeOffset? lastReceivedAt) => new()
    {
        StudyInstanceUid = studyUid,
        Status = state.Status,
        PatientId = state.PatientId,
        EstablishmentId = state.EstablishmentId,
        StudyDate = state.StudyDate,
        StudyDescription = state.StudyDescription,
        AccessionNumber = state.AccessionNumber,
        Series = series,
        InstanceCount = instanceCount,
        Size = size,
        Modalities = series.Select(s => s.Modality).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
        LastReceivedAt = lastReceivedAt,
        FirstReceivedAt = state.FirstReceivedAt,
    };

    /// <summary>A batch folded into the summary and placed in segments, not yet written (<see cref="Stage"/>).</summary>
    private sealed class StagedBatch(
        List<(int Segment, InstanceEntry Entry)> additions,
        int previousSeriesCount,
        SummaryScalars previous)
    {
        public List<(int Segment, InstanceEntry Entry)> Additions { get; } = additions;

        public int PreviousSeriesCount { get; } = previousSeriesCount;

        public SummaryScalars Previous { get; } = previous;

        public bool SummaryChanged { get; set; }

        public bool ReferenceChanged { get; set; }
    }

    /// <summary>The summary's single-valued fields a staged batch may change, as they were before it (series are counted apart).</summary>
    private readonly record struct SummaryScalars(StudyStatus Status, string? PatientId, string? EstablishmentId, string? StudyDate,
        string? StudyDescription, string? AccessionNumber, int SegmentCount, DateTimeOffset? FirstReceivedAt)
    {
        public static SummaryScalars Of(StudyState state) => new(state.Status, state.PatientId, state.EstablishmentId, state.StudyDate,
            state.StudyDescription, state.AccessionNumber, state.SegmentCount, state.FirstReceivedAt);

        public void RestoreTo(StudyState state) =>
            (state.Status, state.PatientId, state.EstablishmentId, state.StudyDate, state.StudyDescription, state.AccessionNumber, state.SegmentCount, state.FirstReceivedAt) =
            (Status, PatientId, EstablishmentId, StudyDate, StudyDescription, AccessionNumber, SegmentCount, FirstReceivedAt);
    }

    private sealed class PendingAdd(InstanceEntry entry, StudyAttributes attributes)
    {
        public InstanceEntry Entry { get; } = entry;

        public StudyAttributes Attributes { get; } = attributes;

        /// <summary>
        /// Completes with "study reference changed" once the batch is durable, or — events first — once its events are
        /// committed (its manifest write follows).
        /// </summary>
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Study {StudyUid}: committed {BatchSize} instance(s), {Total} in manifest")]
    private static partial void LogBatchCommitted(ILogger logger, string studyUid, int batchSize, int total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Study {StudyUid}: manifest commit of {BatchSize} instance(s) failed")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string studyUid, int batchSize);

    [LoggerMessage(Level = LogLevel.Error, Message = "Study {StudyUid}: the Create events of {Count} instance(s) whose manifest write failed could not be taken back from the change feed yet (the undo of each store retries)")]
    private static partial void LogEventsNotTakenBack(ILogger logger, Exception exception, string studyUid, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Study {StudyUid}: instance {SopUid} claims patient {Claimed} but the study belongs to {Owner}")]
    private static partial void LogPatientMismatch(ILogger logger, string studyUid, string sopUid, string owner, string claimed);
}
