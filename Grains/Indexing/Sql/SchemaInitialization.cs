namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// A database's schema creation, run once by whichever caller comes first; a failed attempt (database not reachable
/// yet) is retried by the next caller instead of failing every later one. Shared by the query index and the change feed.
/// </summary>
internal sealed class SchemaInitialization(Func<CancellationToken, Task> create)
{
    private readonly object _lock = new();
    private Task? _attempt;

    /// <summary>Completes when the schema exists; starts (or restarts, after a failure) its creation if needed.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task attempt;
        lock (_lock)
        {
            if (_attempt is null || _attempt.IsFaulted || _attempt.IsCanceled)
            {
                // Not the caller's token: a cancelled caller must not cancel the creation others wait for.
                _attempt = create(CancellationToken.None);
            }

            attempt = _attempt;
        }

        return attempt.WaitAsync(cancellationToken);
    }
}
