using Mirc.Grains.Audit.Store;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Integration.Tests.Audit;

/// <summary>The host's real SQLite trail, whose commit path can be broken (a crashed or full audit database).</summary>
internal sealed class BreakableAuditStore(string databasePath) : IAuditStore, IAsyncDisposable
{
    private readonly SqliteAuditStore _inner = new(databasePath);

    public volatile bool Broken;

    public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);

    public Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        Broken ? throw new IOException("audit database unavailable") : _inner.AppendAsync(events, cancellationToken);

    public Task<int> ImportAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) => _inner.ImportAsync(records, cancellationToken);

    public Task<AuditChainHead> GetHeadAsync(CancellationToken cancellationToken) => _inner.GetHeadAsync(cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> ReadAsync(AuditFilter filter, long afterSequence, int limit, CancellationToken cancellationToken) =>
        _inner.ReadAsync(filter, afterSequence, limit, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
