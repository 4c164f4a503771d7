namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// One queued write: instances to upsert, a study or an instance to delete, or a durability barrier; completed when its
/// transaction commits.
/// </summary>
internal sealed class IndexWrite
{
    private IndexWrite(IReadOnlyList<IndexedInstance>? upserts, string? deleteStudyUid, string? deleteInstanceUid = null, bool lazily = false, bool barrier = false)
    {
        Upserts = upserts;
        DeleteStudyUid = deleteStudyUid;
        DeleteInstanceUid = deleteInstanceUid;
        Lazily = lazily;
        IsBarrier = barrier;
    }

    public IReadOnlyList<IndexedInstance>? Upserts { get; }

    public string? DeleteStudyUid { get; }

    /// <summary>SOP Instance UID of one instance to remove (the undo of a failed ingest).</summary>
    public string? DeleteInstanceUid { get; }

    /// <summary>
    /// Durable at the latest with the next durable commit, not necessarily when it returns (see
    /// <see cref="IQueryIndex.UpsertInstanceLazilyAsync"/>). A batch of lazy writes only commits without a device flush.
    /// </summary>
    public bool Lazily { get; }

    /// <summary>Commits durably, making every write committed before it durable too (<see cref="IQueryIndex.FlushAsync"/>).</summary>
    public bool IsBarrier { get; }

    /// <summary>Result: true on upsert, whether the study (instance) existed on delete.</summary>
    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Weight in a batch (instances; a delete counts as one).</summary>
    public int Size => Upserts?.Count ?? 1;

    public static IndexWrite Upsert(IReadOnlyList<IndexedInstance> instances, bool lazily = false) => new(instances, null, lazily: lazily);

    public static IndexWrite Barrier() => new(null, null, barrier: true);

    public static IndexWrite Delete(string studyInstanceUid) => new(null, studyInstanceUid);

    public static IndexWrite DeleteInstance(string sopInstanceUid) => new(null, null, sopInstanceUid);
}
