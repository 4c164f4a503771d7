using Mirc.Grains.Interfaces.Studies;
using Orleans.Storage;

namespace Mirc.Grains.Studies;

/// <summary>
/// Reads and writes the manifest segments of one study through the archive grain-state provider, as extra
/// state records of the study grain (<c>manifest-0</c>, <c>manifest-1</c>, …). Only the last segment is ever
/// rewritten, so one write costs at most one segment whatever the study size.
/// </summary>
internal sealed class ManifestSegmentStore
{
    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly List<GrainState<ManifestSegmentState>> _segments = [];

    public ManifestSegmentStore(IGrainStorage storage, GrainId grainId)
    {
        _storage = storage;
        _grainId = grainId;
    }

    /// <summary>Number of segments loaded or opened.</summary>
    public int Count => _segments.Count;

    /// <summary>Reads segments 0..<paramref name="segmentCount"/>-1 (a missing one reads as empty) in parallel.</summary>
    public async Task<IReadOnlyList<InstanceEntry>> LoadAsync(int segmentCount)
    {
        _segments.Clear();
        var states = new GrainState<ManifestSegmentState>[segmentCount];
        var reads = new Task[segmentCount];
        for (var i = 0; i < segmentCount; i++)
        {
            states[i] = new GrainState<ManifestSegmentState>(new ManifestSegmentState());
            reads[i] = _storage.ReadStateAsync(StateName(i), _grainId, states[i]);
        }

        await Task.WhenAll(reads);
        var entries = new List<InstanceEntry>();
        foreach (var state in states)
        {
            state.State ??= new ManifestSegmentState();
            _segments.Add(state);
            entries.AddRange(state.State!.Entries);
        }

        return entries;
    }

    /// <summary>Entries in the last segment (0 when none).</summary>
    public int LastSegmentFill => _segments.Count == 0 ? 0 : _segments[^1].State!.Entries.Count;

    /// <summary>Opens a new empty segment (in memory; it is written by the next <see cref="AppendAsync"/>).</summary>
    public void OpenSegment() => _segments.Add(new GrainState<ManifestSegmentState>(new ManifestSegmentState()));

    /// <summary>
    /// Appends entries to the segments the caller chose (each already fits)
    /// and writes the touched segments in parallel. On failure the in-memory segments are rolled back.
    /// </summary>
    public async Task AppendAsync(IReadOnlyList<(int Segment, InstanceEntry Entry)> additions)
    {
        var counts = additions.Select(a => a.Segment).Distinct().ToDictionary(s => s, s => _segments[s].State!.Entries.Count);
        try
        {
            await WriteAsync(Add(additions));
        }
        catch
        {
            foreach (var (segment, originalCount) in counts)
            {
                var entries = _segments[segment].State!.Entries;
                entries.RemoveRange(originalCount, entries.Count - originalCount);
            }

            throw;
        }
    }

    /// <summary>Adds entries to the segments the caller chose (each already fits), in memory only; returns the touched segments.</summary>
    public IReadOnlyCollection<int> Add(IReadOnlyList<(int Segment, InstanceEntry Entry)> additions)
    {
        var touched = new HashSet<int>();
        foreach (var (segment, entry) in additions)
        {
            _segments[segment].State!.Entries.Add(entry);
            touched.Add(segment);
        }

        return touched;
    }

    /// <summary>
    /// Writes <paramref name="segments"/> as they are now, in parallel. Each write takes a copy of its entries first, so
    /// entries added while it is in flight wait for the next write (and never tear this one).
    /// </summary>
    public Task WriteAsync(IReadOnlyCollection<int> segments) => Task.WhenAll(segments.Select(WriteCopyAsync));

    /// <summary>Drops the entries of <paramref name="sopInstanceUids"/> from memory (added, never written).</summary>
    public void Forget(IReadOnlySet<string> sopInstanceUids)
    {
        foreach (var segment in _segments)
        {
            segment.State!.Entries.RemoveAll(e => sopInstanceUids.Contains(e.SopInstanceUid));
        }
    }

    private async Task WriteCopyAsync(int segment)
    {
        var live = _segments[segment];
        var copy = new GrainState<ManifestSegmentState>(new ManifestSegmentState { Entries = [.. live.State!.Entries] }) { ETag = live.ETag, RecordExists = live.RecordExists };
        await _storage.WriteStateAsync(StateName(segment), _grainId, copy);
        live.ETag = copy.ETag;
        live.RecordExists = copy.RecordExists;
    }

    /// <summary>
    /// Removes the entry of <paramref name="sopInstanceUid"/> from the segment holding it and rewrites that segment (the
    /// undo of a failed ingest); null when no segment holds it. On failure the in-memory segment is left unchanged.
    /// </summary>
    public async Task<InstanceEntry?> RemoveAsync(string sopInstanceUid)
    {
        for (var s = 0; s < _segments.Count; s++)
        {
            var entries = _segments[s].State!.Entries;
            var index = entries.FindIndex(e => string.Equals(e.SopInstanceUid, sopInstanceUid, StringComparison.Ordinal));
            if (index < 0)
            {
                continue;
            }

            var removed = entries[index];
            entries.RemoveAt(index);
            try
            {
                await _storage.WriteStateAsync(StateName(s), _grainId, _segments[s]);
            }
            catch
            {
                entries.Insert(index, removed);
                throw;
            }

            return removed;
        }

        return null;
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> in place of the entry with its SOP Instance UID and rewrites that one segment;
    /// returns the replaced entry, or null when no segment holds the UID. On failure the in-memory segment is unchanged.
    /// </summary>
    public async Task<InstanceEntry?> ReplaceAsync(InstanceEntry replacement)
    {
        for (var s = 0; s < _segments.Count; s++)
        {
            var entries = _segments[s].State!.Entries;
            var index = entries.FindIndex(e => string.Equals(e.SopInstanceUid, replacement.SopInstanceUid, StringComparison.Ordinal));
            if (index < 0)
            {
                continue;
            }

            var replaced = entries[index];
            entries[index] = replacement;
            try
            {
                await _storage.WriteStateAsync(StateName(s), _grainId, _segments[s]);
            }
            catch
            {
                entries[index] = replaced;
                throw;
            }

            return replaced;
        }

        return null;
    }

    /// <summary>Deletes every segment record (study purge).</summary>
    public Task ClearAsync() =>
        Task.WhenAll(_segments.Select((s, i) => _storage.ClearStateAsync(StateName(i), _grainId, s)));

    private static string StateName(int segment) => $"manifest-{segment}";
}
