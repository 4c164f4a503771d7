namespace Mirc.Grains.Indexing.Sql;

/// <summary>One queued write: instances to upsert or a study to delete, completed when its transaction commits.</summary>
internal sealed class IndexWrite
{
    private IndexWrite(IReadOnlyList<IndexedInstance>? upserts, string? deleteStudyUid, string? deleteInstanceUid = null)
    {
        Upserts = upserts;
        DeleteStudyUid = deleteStudyUid;
        DeleteInstanceUid = deleteInstanceUid;
    }

    public IReadOnlyList<IndexedInstance>? Upserts { get; }

    public string? DeleteStudyUid { get; }

    /// <summary>SOP Instance UID of one instance to remove (the undo of a failed ingest).</summary>
    public string? DeleteInstanceUid { get; }

    /// <summary>Result: true on upsert, whether the study (instance) existed on delete.</summary>
    public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Weight in a batch (instances; a delete counts as one).</summary>
    public int Size => Upserts?.Count ?? 1;

    public static IndexWrite Upsert(IReadOnlyList<IndexedInstance> instances) => new(instances, null);

    public static IndexWrite Delete(string studyInstanceUid) => new(null, studyInstanceUid);

    public static IndexWrite DeleteInstance(string sopInstanceUid) => new(null, null, sopInstanceUid);
}
