namespace Mirc.Grains.Indexing;

/// <summary>
/// Searchable catalogue of stored instances for C-FIND and QIDO-RS. Implementations: <see cref="SqliteQueryIndex"/>
/// (embedded, <c>&lt;DataPath&gt;/index.db</c>) and <see cref="PostgresQueryIndex"/> (cluster). Thread-safe; writes
/// from concurrent callers are group-committed, and a returned write task means the change is durable — except
/// <see cref="UpsertInstanceLazilyAsync"/>'s, durable by the next <see cref="FlushAsync"/> or durable write.
/// </summary>
public interface IQueryIndex
{
    /// <summary>Creates the schema if missing (idempotent). Called once at start-up by the hosted initializer.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Records (or re-records, idempotently) one instance; study/series counts and modalities are maintained.</summary>
    Task UpsertInstanceAsync(IndexedInstance instance, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one instance whose change-feed event is newer than the follower's checkpoint (the ingest's inline row):
    /// visible to every query when it returns, safe from a process crash, but durable against a power loss only with
    /// the next durable write or <see cref="FlushAsync"/> — the follower flushes before it advances its checkpoint
    /// past the event, so a row lost with the power is written again from the feed. Spares the ingest a device flush
    /// per commit. The default is <see cref="UpsertInstanceAsync"/> (durable at once).
    /// </summary>
    Task UpsertInstanceLazilyAsync(IndexedInstance instance, CancellationToken cancellationToken = default) => UpsertInstanceAsync(instance, cancellationToken);

    /// <summary>Makes every write that returned before the call durable. The default has nothing to do.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Records many instances in one durable transaction.</summary>
    Task UpsertInstancesAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records instances one after another in the order given (the rebuild from the change feed: rows get their keys in
    /// the order the instances first arrived, so answers come out in the same order as before the rebuild).
    /// </summary>
    async Task UpsertInOrderAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        foreach (var instance in instances)
        {
            await UpsertInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a query; each row maps <see cref="IndexTags"/> tags of the query level and the levels above it to DICOM
    /// string values (absent attributes are omitted). Rows are ordered deterministically (so paging is stable).
    /// </summary>
    Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default);

    /// <summary>Number of rows <paramref name="query"/> matches, ignoring limit and offset, under the same authorization.</summary>
    Task<long> CountAsync(IndexQuery query, CancellationToken cancellationToken = default);

    /// <summary>The study with its counts, or <c>null</c>. Not filtered: callers check authorization.</summary>
    Task<IndexedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>Removes a study, its series and instances (and its patient when it has no study left); <c>false</c> when absent.</summary>
    Task<bool> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes one instance (the undo of a failed ingest): counts are recomputed, and a series, study or patient left
    /// without instances goes with it; <c>false</c> when absent.
    /// </summary>
    Task<bool> DeleteInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>
    /// The regional patient of each of <paramref name="studyInstanceUids"/> the index holds (a study it does not hold, or
    /// one without a regional patient, is absent). Not filtered: the audit's patient attribution. The default asks
    /// <see cref="GetStudyAsync"/> one study at a time.
    /// </summary>
    async Task<IReadOnlyDictionary<string, string>> StudyPatientsAsync(IReadOnlyCollection<string> studyInstanceUids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(studyInstanceUids);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var uid in studyInstanceUids)
        {
            if (await GetStudyAsync(uid, cancellationToken).ConfigureAwait(false) is { RegionalPatientId: { Length: > 0 } patient })
            {
                found[uid] = patient;
            }
        }

        return found;
    }

    /// <summary>
    /// Which of <paramref name="sopInstanceUids"/> have a row (the change-feed follower skips instances the ingest already
    /// indexed). The default knows none, so a caller re-writes every row: correct (upserts are idempotent), only slower.
    /// </summary>
    Task<IReadOnlySet<string>> IndexedInstancesAsync(IReadOnlyCollection<string> sopInstanceUids, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));
}
