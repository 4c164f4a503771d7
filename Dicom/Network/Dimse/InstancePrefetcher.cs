namespace Mirc.Dicom.Network.Dimse;

/// <summary>
/// Keeps the next few instances of a C-GET / C-MOVE opened (file open, File Meta read) while the current one is being
/// sent, so the sub-operations follow each other without waiting on storage. Bounded by <c>depth</c>; whatever was
/// prepared but not taken is closed on dispose.
/// </summary>
internal sealed class InstancePrefetcher(IReadOnlyList<DicomInstanceSource> sources,
    Func<DicomInstanceSource, CancellationToken, Task<PreparedInstance>> prepare, int depth, CancellationToken ct) : IAsyncDisposable
{
    private readonly Queue<Task<PreparedInstance>> _ahead = new();
    private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
    private int _next;

    /// <summary>The preparation of the next instance, in order (faults when that instance cannot be opened).</summary>
    public Task<PreparedInstance> TakeNext()
    {
        Fill();
        var task = _ahead.Dequeue();
        Fill();
        return task;
    }

    /// <summary>The preparation <see cref="TakeNext"/> returns next, or null when none is left.</summary>
    public Task<PreparedInstance>? PeekNext()
    {
        Fill();
        return _ahead.TryPeek(out var next) ? next : null;
    }

    private void Fill()
    {
        while (_ahead.Count < Math.Max(1, depth) && _next < sources.Count)
        {
            _ahead.Enqueue(prepare(sources[_next++], _cancel.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        while (_ahead.TryDequeue(out var task))
        {
            try
            {
                await (await task.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // cancelled or failed preparation: nothing to close
            }
        }
        _cancel.Dispose();
    }
}
