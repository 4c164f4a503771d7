using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>
/// The real SQLite store with a switch on its commit path: count commits, hold them at a gate (to observe what a caller
/// sees while its record is not yet durable), or make them fail (a broken or crashed store).
/// </summary>
public sealed class ControllableAuditStore(string databasePath) : IAuditStore, IAsyncDisposable
{
    private readonly SqliteAuditStore _inner = new(databasePath);
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _commits;

    public string DatabasePath => _inner.DatabasePath;

    /// <summary>Commits that reached the database.</summary>
    public int Commits => Volatile.Read(ref _commits);

    /// <summary>When set, every commit fails with it.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Holds the next commits until <see cref="Release"/>; returns a task completed when one reaches the gate.</summary>
    public Task HoldCommits()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _entered.Task;
    }

    public void Release() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    /// <summary>The commit path dies: the held commit and every later one fail before reaching the database.</summary>
    public void Crash()
    {
        FailWith = new IOException("audit store crashed");
        Release();
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);

    public async Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        if (_gate is { } gate)
        {
            _entered.TrySetResult();
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure) throw failure;
        var head = await _inner.AppendAsync(events, cancellationToken);
        Interlocked.Increment(ref _commits);
        return head;
    }

    public Task<int> ImportAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => _inner.ImportAsync(records, cancellationToken);

    public Task<AuditChainHead> GetHeadAsync(CancellationToken cancellationToken) => _inner.GetHeadAsync(cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> ReadAsync(AuditFilter filter, long afterSequence, int limit, CancellationToken cancellationToken) =>
        _inner.ReadAsync(filter, afterSequence, limit, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
