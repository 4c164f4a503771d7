namespace Mirc.Grains.FanOut;

/// <summary>
/// One asynchronous call per item with at most a fixed number in flight, results in item order. A patient can have
/// hundreds of studies and a study many shares: an unbounded <c>Task.WhenAll</c> over them sends every call at once,
/// activating (and loading the state of) every grain in one burst and queueing behind it everything else the silo does.
/// Inside a grain it keeps running on the activation's scheduler (the calls still overlap: they are awaited, not run).
/// </summary>
public static class BoundedFanOut
{
    /// <summary>Calls in flight at once unless a caller has a reason for another bound.</summary>
    public const int DefaultParallelism = 16;

    /// <summary>Runs <paramref name="select"/> for each of <paramref name="items"/>, at most <paramref name="maxParallelism"/> at once.</summary>
    public static async Task<TResult[]> SelectAsync<TItem, TResult>(
        IReadOnlyList<TItem> items,
        Func<TItem, CancellationToken, Task<TResult>> select,
        int maxParallelism = DefaultParallelism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(select);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);
        var results = new TResult[items.Count];
        await Parallel.ForAsync(
            0,
            items.Count,
            new ParallelOptions { MaxDegreeOfParallelism = maxParallelism, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Current },
            async (i, token) => results[i] = await select(items[i], token).ConfigureAwait(true));
        return results;
    }
}
