using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Store;

/// <summary>
/// Where the hash-chained trail lives: an append-only table with a one-row head, in the same database engine as the
/// query index (SQLite file <c>&lt;DataPath&gt;/audit.db</c> embedded, the cluster's PostgreSQL database). An append is
/// one transaction that reads the head, inserts the batch and moves the head: O(batch), durable when it returns.
/// </summary>
public interface IAuditStore
{
    /// <summary>Creates the tables if missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Numbers, links and hashes <paramref name="events"/> after the head and commits them durably, in one transaction.</summary>
    Task<AuditChainHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Adds already-sealed records (migration of the former grain-state segments) when they continue the head exactly;
    /// records the store already holds are skipped. Returns how many were added.
    /// </summary>
    Task<int> ImportAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>The head (last sequence and hash; <see cref="AuditChainHead.SegmentCount"/> is 0 or 1).</summary>
    Task<AuditChainHead> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>Records with a sequence after <paramref name="afterSequence"/> matching <paramref name="filter"/>, in chain order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAsync(AuditFilter filter, long afterSequence, int limit, CancellationToken cancellationToken);
}
