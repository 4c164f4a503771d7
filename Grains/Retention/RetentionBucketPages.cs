using Mirc.Grains.FanOut;
using Orleans.Storage;

namespace Mirc.Grains.Retention;

/// <summary>
/// The sealed pages of a retention bucket: full pages of study UIDs kept as extra state records of the bucket grain
/// (<c>retention-bucket-page-0</c>, <c>-1</c>, …) through the archive grain storage. The bucket's own record holds only
/// the open page, so adding a study rewrites at most <see cref="PageSize"/> UIDs however many the day has — a backfill
/// of years received in one day would otherwise rewrite the whole day's set (tens of thousands of UIDs) on every add.
/// </summary>
internal sealed class RetentionBucketPages(IGrainStorage storage, GrainId grainId)
{
    /// <summary>UIDs of the open page at which it is sealed (~64 KB of record).</summary>
    public const int PageSize = 1_000;

    private readonly List<GrainState<RetentionBucketPage>> _pages = [];
    private readonly HashSet<string> _sealed = new(StringComparer.Ordinal);

    /// <summary>Studies in sealed pages.</summary>
    public int Count => _sealed.Count;

    /// <summary>Studies in sealed pages (the open page is the bucket's).</summary>
    public IEnumerable<string> Studies => _sealed;

    /// <summary>True when a sealed page holds <paramref name="studyInstanceUid"/>.</summary>
    public bool Contains(string studyInstanceUid) => _sealed.Contains(studyInstanceUid);

    /// <summary>Reads pages 0..<paramref name="count"/>-1 (a missing one reads as empty), a few at a time.</summary>
    public async Task LoadAsync(int count, CancellationToken cancellationToken = default)
    {
        _pages.Clear();
        _sealed.Clear();
        var pages = await BoundedFanOut.SelectAsync([.. Enumerable.Range(0, count)], (page, _) => ReadAsync(page), cancellationToken: cancellationToken);
        foreach (var page in pages)
        {
            _pages.Add(page);
            _sealed.UnionWith(StudiesOf(page));
        }
    }

    /// <summary>
    /// Writes <paramref name="studies"/> as page number <see cref="PageCount"/> (the bucket then counts it). A record
    /// left at that number by a seal whose bucket write failed is overwritten.
    /// </summary>
    public async Task SealAsync(IReadOnlyCollection<string> studies)
    {
        var page = await ReadAsync(_pages.Count);
        page.State = new RetentionBucketPage { Studies = [.. studies] };
        await storage.WriteStateAsync(StateName(_pages.Count), grainId, page);
        _pages.Add(page);
        _sealed.UnionWith(studies);
    }

    /// <summary>Number of sealed pages loaded or written.</summary>
    public int PageCount => _pages.Count;

    /// <summary>Takes <paramref name="erased"/> out of the pages: each page that held one is rewritten, an emptied one too.</summary>
    public async Task RemoveAsync(IReadOnlySet<string> erased, CancellationToken cancellationToken = default)
    {
        var touched = _pages.Where(p => StudiesOf(p).Exists(erased.Contains)).ToArray();
        await BoundedFanOut.SelectAsync(touched, async (page, _) =>
        {
            var index = _pages.IndexOf(page);
            StudiesOf(page).RemoveAll(erased.Contains);
            await storage.WriteStateAsync(StateName(index), grainId, page);
            return true;
        }, cancellationToken: cancellationToken);
        _sealed.ExceptWith(erased);
    }

    /// <summary>Removes every page record (the bucket is empty).</summary>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await BoundedFanOut.SelectAsync([.. Enumerable.Range(0, _pages.Count)], async (index, _) =>
        {
            if (_pages[index].RecordExists)
            {
                await storage.ClearStateAsync(StateName(index), grainId, _pages[index]);
            }

            return true;
        }, cancellationToken: cancellationToken);
        _pages.Clear();
        _sealed.Clear();
    }

    private async Task<GrainState<RetentionBucketPage>> ReadAsync(int page)
    {
        var state = new GrainState<RetentionBucketPage>(new RetentionBucketPage());
        await storage.ReadStateAsync(StateName(page), grainId, state);
        state.State ??= new RetentionBucketPage();
        return state;
    }

    private static List<string> StudiesOf(GrainState<RetentionBucketPage> page) => (page.State ??= new RetentionBucketPage()).Studies;

    private static string StateName(int page) => $"retention-bucket-page-{page}";
}
