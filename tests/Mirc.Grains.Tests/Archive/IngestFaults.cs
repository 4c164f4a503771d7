using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Retention;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Tests.Archive;

/// <summary>A step of the ingest pipeline that a test makes fail.</summary>
public enum IngestStep
{
    None,
    BlobWrite,
    /// <summary>A write of the manifest: one of its segments, or the study summary that holds the first one.</summary>
    ManifestCommit,
    IndexWrite,
    PatientLink,

    /// <summary>The retention bucket's registration (by the change-feed follower: no longer a step of the store).</summary>
    Retention,

    /// <summary>The patient record's identity write (a new patient's, overlapped with the manifest commit).</summary>
    PatientRecord,

    /// <summary>The retention bucket's state write (the follower's registration reached the bucket, its write fails).</summary>
    RetentionBucketWrite,

    /// <summary>The identity index's state write (a new local patient id's link to its regional patient).</summary>
    IdentityLinkWrite,

    /// <summary>The study grain's summary write (status, owner, series, and the first manifest segment it holds).</summary>
    StudySummaryWrite,

    /// <summary>A research export's state write (its start, progress or end).</summary>
    ResearchExportWrite,

    /// <summary>The ingest journal's slot write (an intent, before the promotion).</summary>
    JournalWrite,

    /// <summary>A flush of the blob store (the round that makes an intent and its staged data durable).</summary>
    Flush,
}

/// <summary>
/// Failure injection at each step of the ingest pipeline: the blob store (instance writes, manifest segment writes), the
/// query index and the grain calls (patient study reference, retention bucket) fail while their step is armed.
/// </summary>
public sealed class IngestFaults : IIncomingGrainCallFilter
{
    public volatile IngestStep Armed;

    /// <summary>The blob store asks writers to write at final names (as Azure and the data folder's shared rounds do); off, the ingest stages and promotes (per-file durability).</summary>
    public volatile bool WritesAtFinalName;

    /// <summary>
    /// A write at a final name finds it taken at its commit: another writer's bytes (<see cref="ConcurrentBytes"/>) land
    /// there between the check and the write (with <see cref="WritesAtFinalName"/>).
    /// </summary>
    public volatile byte[]? ConcurrentBytes;

    /// <summary>The index write is cancelled (the caller went away) instead of failing.</summary>
    public volatile bool CancelIndexWrites;

    /// <summary>Also make the undo's index deletion fail (the undo is then left to the reconciler).</summary>
    public volatile bool FailIndexDeletes;

    private int _manifestWrites;

    /// <summary>Names of the blobs created lazily (<see cref="IBlobStore.CreateInPlaceLazilyAsync"/>): left to a caller's flush.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CreatedLazily { get; } = new();

    /// <summary>Names of the grain-state records written (created or replaced), in call order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> StateWrites { get; } = new();

    private int _moves;

    /// <summary>Blob moves (a staged upload's promotion among them) that reached the store.</summary>
    public int Moves => Volatile.Read(ref _moves);

    /// <summary>Manifest writes (a segment's, or the summary's that holds the first) replaced in the store (failed or not).</summary>
    public int ManifestWrites => Volatile.Read(ref _manifestWrites);

    public static InvalidOperationException Injected(IngestStep step) => new($"Injected failure at {step}");

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IngestStep, TaskCompletionSource> _thrown = new();

    /// <summary>Completes once a failure has been injected at <paramref name="step"/> (for steps not awaited by the store).</summary>
    public Task Thrown(IngestStep step) => _thrown.GetOrAdd(step, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private int _passFirst;

    private TaskCompletionSource? _manifestGate;

    private TaskCompletionSource? _flushGate;

    private TaskCompletionSource? _patientRecordGate;

    private TaskCompletionSource? _journalGate;

    /// <summary>Holds every patient record write (<see cref="IPatientGrain.RegisterIdentityAsync"/>) until the returned source is completed.</summary>
    public TaskCompletionSource HoldPatientRecords()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _patientRecordGate, gate);
        return gate;
    }

    private static async Task HeldAsync(Task gate, IIncomingGrainCallContext context)
    {
        await gate;
        await context.Invoke();
    }

    /// <summary>Holds every flush of the blob store (<see cref="IBlobStore.FlushAsync"/>) until the returned source is completed.</summary>
    public TaskCompletionSource HoldFlushes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _flushGate, gate);
        return gate;
    }

    /// <summary>Holds every ingest journal slot write until the returned source is completed.</summary>
    public TaskCompletionSource HoldJournalWrites()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _journalGate, gate);
        return gate;
    }

    /// <summary>Holds every manifest replacement (a segment's, or the summary's that holds the first) until the returned source is completed.</summary>
    public TaskCompletionSource HoldManifestWrites()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _manifestGate, gate);
        return gate;
    }

    /// <summary>Arms <paramref name="step"/> to fail after letting its first <paramref name="passFirst"/> calls through.</summary>
    public void Arm(IngestStep step, int passFirst)
    {
        _thrown.TryRemove(step, out _);
        Volatile.Write(ref _passFirst, passFirst);
        Armed = step;
    }

    public void Throw(IngestStep step)
    {
        if (Armed == step && Interlocked.Decrement(ref _passFirst) < 0)
        {
            _thrown.GetOrAdd(step, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            throw Injected(step);
        }
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (method?.DeclaringType == typeof(IPatientGrain) && method.Name == nameof(IPatientGrain.UpsertStudyAsync))
        {
            Throw(IngestStep.PatientLink);
        }
        else if (method?.DeclaringType == typeof(IPatientGrain) && method.Name == nameof(IPatientGrain.RegisterIdentityAsync))
        {
            Throw(IngestStep.PatientRecord);
            if (Volatile.Read(ref _patientRecordGate) is { } gate)
            {
                return HeldAsync(gate.Task, context);
            }
        }
        else if (method?.DeclaringType == typeof(IRetentionBucketGrain) && method.Name == nameof(IRetentionBucketGrain.AddAsync))
        {
            Throw(IngestStep.Retention);
        }

        return context.Invoke();
    }

    public IBlobStore Decorate(IBlobStore inner) => new FaultyBlobStore(inner, this);

    public IQueryIndex Decorate(IQueryIndex inner) => new FaultyIndex(inner, this);

    private sealed class FaultyBlobStore(IBlobStore inner, IngestFaults faults) : IBlobStore
    {
        private const string ManifestPrefix = "manifest-";

        // The study summary holds the manifest's first segment (StudyState.FirstSegment): its writes are manifest writes too.
        private const string SummaryPrefix = "study/";

        // The grain-state records each step fails, by their names' prefix. New records too: the interface's default
        // CreateInPlaceAsync goes through WriteIfMatchAsync.
        private static readonly (string Prefix, IngestStep Step)[] StateWrites =
        [
            (ManifestPrefix, IngestStep.ManifestCommit),
            (SummaryPrefix, IngestStep.ManifestCommit),
            ("retention-bucket/", IngestStep.RetentionBucketWrite),
            ("identity/", IngestStep.IdentityLinkWrite),
            (SummaryPrefix, IngestStep.StudySummaryWrite),
            ("research-export/", IngestStep.ResearchExportWrite),
        ];

        public bool WritesAtFinalName => faults.WritesAtFinalName;

        public async Task<BlobWriteResult> WriteUnlessTakenAsync(BlobKey key, BlobKey alternate, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (faults.ConcurrentBytes is { } theirs && await inner.TryGetPropertiesAsync(key, cancellationToken) is null)
            {
                await inner.WriteAsync(key, new MemoryStream(theirs), cancellationToken: cancellationToken);
                throw new BlobConcurrencyException(key, null, null);
            }

            // As the interface's default does.
            return await inner.TryGetPropertiesAsync(key, cancellationToken) is null
                ? await WriteAsync(key, content, (options ?? new BlobWriteOptions()) with { Overwrite = false }, cancellationToken)
                : await WriteAsync(alternate, content, options, cancellationToken);
        }

        public Task<BlobWriteResult> WriteAsync(BlobKey key, Stream content, BlobWriteOptions? options = null, CancellationToken cancellationToken = default)
        {
            faults.Throw(IngestStep.BlobWrite);
            return inner.WriteAsync(key, content, options, cancellationToken);
        }

        public Task<BlobETag> WriteIfMatchAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
        {
            ThrowIfArmed(key);
            faults.StateWrites.Enqueue(key.Name);
            return inner.WriteIfMatchAsync(key, content, expected, cancellationToken);
        }

        public Task<BlobETag> CreateInPlaceLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            ThrowIfArmed(key);
            faults.CreatedLazily.Enqueue(key.Name);
            faults.StateWrites.Enqueue(key.Name);
            return inner.CreateInPlaceLazilyAsync(key, content, cancellationToken);
        }

        private void ThrowIfArmed(BlobKey key)
        {
            foreach (var (prefix, step) in StateWrites)
            {
                if (key.Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    faults.Throw(step);
                }
            }
        }

        public Task<BlobETag> WriteIfMatchLazilyAsync(BlobKey key, ReadOnlyMemory<byte> content, BlobETag? expected, CancellationToken cancellationToken = default)
        {
            faults.StateWrites.Enqueue(key.Name);
            if (key.Name.StartsWith(ManifestPrefix, StringComparison.Ordinal) || key.Name.StartsWith(SummaryPrefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref faults._manifestWrites);
                faults.Throw(IngestStep.ManifestCommit);
                if (Volatile.Read(ref faults._manifestGate) is { } gate)
                {
                    return HeldAsync(gate);
                }
            }

            return inner.WriteIfMatchLazilyAsync(key, content, expected, cancellationToken);

            async Task<BlobETag> HeldAsync(TaskCompletionSource gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
                Interlocked.CompareExchange(ref faults._manifestGate, null, gate);
                return await inner.WriteIfMatchLazilyAsync(key, content, expected, cancellationToken);
            }
        }

        public Task<Stream> OpenReadAsync(BlobKey key, BlobRange? range = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, range, cancellationToken);

        public Task<BlobProperties?> TryGetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.TryGetPropertiesAsync(key, cancellationToken);

        public Task<bool> DeleteAsync(BlobKey key, BlobETag? ifMatch = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, ifMatch, cancellationToken);

        public IAsyncEnumerable<BlobProperties> ListAsync(string container, string? prefix = null, CancellationToken cancellationToken = default) => inner.ListAsync(container, prefix, cancellationToken);

        public Task RewriteAsync(BlobKey key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        {
            if (key.Name.StartsWith("journal/", StringComparison.Ordinal))
            {
                faults.Throw(IngestStep.JournalWrite);
                if (Volatile.Read(ref faults._journalGate) is { } gate)
                {
                    return HeldAsync(gate);
                }
            }

            return inner.RewriteAsync(key, content, cancellationToken);

            async Task HeldAsync(TaskCompletionSource gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
                Interlocked.CompareExchange(ref faults._journalGate, null, gate);
                await inner.RewriteAsync(key, content, cancellationToken);
            }
        }

        public Task<BlobContent?> TryReadAllAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.TryReadAllAsync(key, cancellationToken);

        public Task<BlobProperties> MoveAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref faults._moves);
            return inner.MoveAsync(source, destination, cancellationToken);
        }

        public Task<BlobProperties> MoveLazilyAsync(BlobKey source, BlobKey destination, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref faults._moves);
            return inner.MoveLazilyAsync(source, destination, cancellationToken);
        }

        public Task FlushAsync(CancellationToken cancellationToken = default)
        {
            faults.Throw(IngestStep.Flush);
            return Volatile.Read(ref faults._flushGate) is { } gate ? HeldFlushAsync(gate) : inner.FlushAsync(cancellationToken);
        }

        private async Task HeldFlushAsync(TaskCompletionSource gate)
        {
            await gate.Task;
            Interlocked.CompareExchange(ref faults._flushGate, null, gate);
            await inner.FlushAsync();
        }
    }

    private sealed class FaultyIndex(IQueryIndex inner, IngestFaults faults) : IQueryIndex
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task UpsertInstanceAsync(IndexedInstance instance, CancellationToken cancellationToken = default)
        {
            if (faults.CancelIndexWrites)
            {
                throw new OperationCanceledException("Injected cancellation at the index write");
            }

            faults.Throw(IngestStep.IndexWrite);
            return inner.UpsertInstanceAsync(instance, cancellationToken);
        }

        public Task UpsertInstancesAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default)
        {
            faults.Throw(IngestStep.IndexWrite);
            return inner.UpsertInstancesAsync(instances, cancellationToken);
        }

        public Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public Task<long> CountAsync(IndexQuery query, CancellationToken cancellationToken = default) => inner.CountAsync(query, cancellationToken);

        public Task<IndexedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => inner.GetStudyAsync(studyInstanceUid, cancellationToken);

        public Task<bool> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => inner.DeleteStudyAsync(studyInstanceUid, cancellationToken);

        public Task<bool> DeleteInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken = default) =>
            faults.FailIndexDeletes ? throw Injected(IngestStep.IndexWrite) : inner.DeleteInstanceAsync(sopInstanceUid, cancellationToken);
    }
}
