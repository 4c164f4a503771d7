using System.Collections.Concurrent;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The summaries of the studies one batch of the feed names, each read from its study grain once for all the
/// projections that apply the batch (they used to read it one after another: three grain calls per new study instead
/// of one). Made for one batch and dropped with it, so a projection never decides on a summary older than its batch;
/// a read that fails is forgotten, so the next projection of the batch reads again.
/// </summary>
public sealed class StudySummaryReads(IGrainFactory grains)
{
    private readonly ConcurrentDictionary<string, Task<StudySummary>> _reads = new(StringComparer.Ordinal);

    /// <summary>The summary of <paramref name="studyInstanceUid"/> as read once in this batch.</summary>
    public async Task<StudySummary> GetAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        var read = _reads.GetOrAdd(studyInstanceUid, uid => grains.Reference<IStudyGrain>(uid).GetSummaryAsync());
        try
        {
            return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (read.IsFaulted || read.IsCanceled)
        {
            _reads.TryRemove(new KeyValuePair<string, Task<StudySummary>>(studyInstanceUid, read));
            throw;
        }
    }
}
