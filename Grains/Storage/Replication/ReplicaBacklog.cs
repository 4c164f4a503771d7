using System.Collections.Concurrent;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>What the second site must be brought to for one key.</summary>
public enum ReplicaChangeKind
{
    /// <summary>Make the second site's blob equal to the first site's (deleted there when the first has none).</summary>
    CopyFromFirst,

    /// <summary>Write <see cref="ReplicaChange.Content"/> (a mirror with no counterpart on the first site: Azure-mode grain state).</summary>
    Write,

    /// <summary>Delete the blob on the second site.</summary>
    Delete,
}

/// <summary>A change the second site does not hold yet.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Content">Bytes for <see cref="ReplicaChangeKind.Write"/>.</param>
/// <param name="QueuedAt">When the oldest change of this key not yet on the second site was made (the lag runs from it).</param>
/// <param name="Version">Unique per enqueue: a change replaced while it was copied is not taken off the backlog.</param>
public sealed record ReplicaChange(ReplicaChangeKind Kind, ReadOnlyMemory<byte> Content, DateTimeOffset QueuedAt, long Version);

/// <summary>
/// Changes acknowledged on the first site that the second one does not hold yet, one entry per key (the latest change
/// wins, the lag counts from the oldest), and the measured replication lag. In memory: a restart forgets it, and the
/// scrubber, which compares both sites whole, covers what it forgot.
/// </summary>
public sealed class ReplicaBacklog
{
    private readonly ConcurrentDictionary<BlobKey, ReplicaChange> _pending = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly TimeProvider _clock;
    private readonly int _capacity;
    private long _version;
    private long _replicated;
    private long _dropped;
    private long _lastLagTicks;
    private long _maxLagTicks;

    /// <summary>Creates an empty backlog holding at most <paramref name="capacity"/> keys.</summary>
    public ReplicaBacklog(TimeProvider clock, int capacity)
    {
        _clock = clock;
        _capacity = capacity;
    }

    /// <summary>Keys waiting for the second site.</summary>
    public int Count => _pending.Count;

    /// <summary>Changes copied to the second site since start.</summary>
    public long Replicated => Interlocked.Read(ref _replicated);

    /// <summary>Changes not queued because the backlog was full (left to the scrubber).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lag of the last change copied: from its write on the first site to its copy on the second.</summary>
    public TimeSpan LastLag => TimeSpan.FromTicks(Interlocked.Read(ref _lastLagTicks));

    /// <summary>Largest lag measured since start (or since <see cref="ResetLag"/>).</summary>
    public TimeSpan MaxLag => TimeSpan.FromTicks(Interlocked.Read(ref _maxLagTicks));

    /// <summary>Age of the oldest change still waiting (zero when none is).</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            var now = _clock.GetUtcNow();
            var oldest = TimeSpan.Zero;
            foreach (var change in _pending.Values)
            {
                var age = now - change.QueuedAt;
                oldest = age > oldest ? age : oldest;
            }

            return oldest;
        }
    }

    /// <summary>Forgets the lag measured so far (a benchmark measures one phase at a time).</summary>
    public void ResetLag()
    {
        Interlocked.Exchange(ref _maxLagTicks, 0);
        Interlocked.Exchange(ref _lastLagTicks, 0);
    }

    /// <summary>Queues a change for <paramref name="key"/>, replacing a pending one (whose age it keeps).</summary>
    public void Enqueue(BlobKey key, ReplicaChangeKind kind, ReadOnlyMemory<byte> content = default)
    {
        var now = _clock.GetUtcNow();
        var version = Interlocked.Increment(ref _version);
        if (_pending.Count >= _capacity && !_pending.ContainsKey(key))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _pending.AddOrUpdate(
            key,
            static (_, a) => new ReplicaChange(a.kind, a.content, a.now, a.version),
            static (_, old, a) => new ReplicaChange(a.kind, a.content, old.QueuedAt, a.version),
            (kind, content, now, version));
        _signal.Release();
    }

    /// <summary>Up to <paramref name="max"/> pending changes, oldest first.</summary>
    public IReadOnlyList<KeyValuePair<BlobKey, ReplicaChange>> Snapshot(int max) =>
        _pending.OrderBy(p => p.Value.QueuedAt).Take(max).ToArray();

    /// <summary>Takes a copied change off the backlog (unless a newer one replaced it meanwhile) and records its lag.</summary>
    public void Complete(KeyValuePair<BlobKey, ReplicaChange> done)
    {
        if (!_pending.TryRemove(done))
        {
            return;
        }

        Interlocked.Increment(ref _replicated);
        RecordLag(_clock.GetUtcNow() - done.Value.QueuedAt);
    }

    /// <summary>Records the lag of a change written to both sites before its acknowledgement (synchronous mode).</summary>
    public void RecordLag(TimeSpan lag)
    {
        var ticks = Math.Max(0, lag.Ticks);
        Interlocked.Exchange(ref _lastLagTicks, ticks);
        long max;
        while (ticks > (max = Interlocked.Read(ref _maxLagTicks)) && Interlocked.CompareExchange(ref _maxLagTicks, ticks, max) != max)
        {
        }
    }

    /// <summary>Waits until something is queued or <paramref name="timeout"/> passes.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signalled = await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        // One wake-up serves every enqueue so far: the copier takes the whole backlog.
        while (_signal.CurrentCount > 0 && _signal.Wait(0))
        {
        }

        return signalled;
    }
}
