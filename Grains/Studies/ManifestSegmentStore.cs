using Mirc.Grains.Interfaces.Studies;
using Orleans.Storage;

namespace Mirc.Grains.Studies;

/// <summary>
/// Reads and writes the manifest segments of one study through the archive grain-state provider, as extra
/// state records of the study grain (<c>manifest-0</c>, <c>manifest-1</c>, …) — except the first segment of a study whose
/// summary holds it (<see cref="StudyState.FirstSegment"/>, every study whose first segment opened since): that one is
/// written with the summary, by the study grain's summary write. Only the last segment is ever rewritten, so one write
/// costs at most one segment whatever the study size.
/// </summary>
internal sealed class ManifestSegmentStore
{
    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly IPersistentState<StudyState> _summary;
    private readonly List<GrainState<ManifestSegmentState>> _segments = [];

    // Decided when the first segment is loaded or opened. Its entries are always the summary's current list, never a copy
    // of it: a summary read back after a refused write replaces the state object, and what is added next goes into that.
    private bool _firstInSummary;

    public ManifestSegmentStore(IGrainStorage storage, GrainId grainId, IPersistentState<StudyState> summary)
    {
        _storage = storage;
        _grainId = grainId;
        _summary = summary;
    }

    /// <summary>Number of segments loaded or opened.</summary>
    public int Count => _segments.Count;

    /// <summary>True when segment <paramref name="segment"/> is kept in the summary record (written with it, never alone).</summary>
    public bool InSummary(int segment) => segment == 0 && _firstInSummary;

    /// <summary>
    /// Reads segments 0..<paramref name="segmentCount"/>-1 (a missing one reads as empty) in parallel; the first from the
    /// summary already read, where it holds it.
    /// </summary>
    public async Task<IReadOnlyList<InstanceEntry>> LoadAsync(int segmentCount)
    {
        _segments.Clear();
        _firstInSummary = _summary.State.FirstSegment is not null;
        var states = new GrainState<ManifestSegmentState>[segmentCount];
        var reads = new Task[segmentCount];
        for (var i = 0; i < segmentCount; i++)
        {
            states[i] = new GrainState<ManifestSegmentState>(new ManifestSegmentState());
            reads[i] = InSummary(i) ? Task.CompletedTask : _storage.ReadStateAsync(StateName(i), _grainId, states[i]);
        }

        await Task.WhenAll(reads);
        var entries = new List<InstanceEntry>();
        for (var i = 0; i < segmentCount; i++)
        {
            states[i].State ??= new ManifestSegmentState();
            _segments.Add(states[i]);
            entries.AddRange(EntriesOf(i));
        }

        return entries;
    }

    /// <summary>Entries in the last segment (0 when none).</summary>
    public int LastSegmentFill => _segments.Count == 0 ? 0 : EntriesOf(_segments.Count - 1).Count;

    /// <summary>
    /// Opens a new empty segment in memory, written by the next <see cref="WriteAsync"/> — or, the first one, kept in the
    /// summary and written with it. A study opens its first segment with no segment record named (new, or never stored),
    /// so the summary can always hold it.
    /// </summary>
    public void OpenSegment()
    {
        if (_segments.Count == 0)
        {
            _firstInSummary = true;
            _summary.State.FirstSegment = [];
        }

        _segments.Add(new GrainState<ManifestSegmentState>(new ManifestSegmentState()));
    }

    /// <summary>Adds entries to the segments the caller chose (each already fits), in memory only; returns the touched segments.</summary>
    public IReadOnlyCollection<int> Add(IReadOnlyList<(int Segment, InstanceEntry Entry)> additions)
    {
        var touched = new HashSet<int>();
        foreach (var (segment, entry) in additions)
        {
            EntriesOf(segment).Add(entry);
            touched.Add(segment);
        }

        return touched;
    }

    /// <summary>
    /// Writes <paramref name="segments"/> as they are now, in parallel, except the one the summary holds (its caller writes
    /// the summary). Each write takes a copy of its entries first, so entries added while it is in flight wait for the
    /// next write (and never tear this one).
    /// </summary>
    public Task WriteAsync(IReadOnlyCollection<int> segments) => Task.WhenAll(segments.Where(s => !InSummary(s)).Select(WriteCopyAsync));

    /// <summary>Drops the entries of <paramref name="sopInstanceUids"/> from memory (added, never written).</summary>
    public void Forget(IReadOnlySet<string> sopInstanceUids)
    {
        for (var segment = 0; segment < _segments.Count; segment++)
        {
            EntriesOf(segment).RemoveAll(e => sopInstanceUids.Contains(e.SopInstanceUid));
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
            var entries = EntriesOf(s);
            var index = entries.FindIndex(e => string.Equals(e.SopInstanceUid, sopInstanceUid, StringComparison.Ordinal));
            if (index < 0)
            {
                continue;
            }

            var removed = entries[index];
            entries.RemoveAt(index);
            try
            {
                await WriteWholeAsync(s);
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
            var entries = EntriesOf(s);
            var index = entries.FindIndex(e => string.Equals(e.SopInstanceUid, replacement.SopInstanceUid, StringComparison.Ordinal));
            if (index < 0)
            {
                continue;
            }

            var replaced = entries[index];
            entries[index] = replacement;
            try
            {
                await WriteWholeAsync(s);
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

    /// <summary>
    /// Deletes every segment record (study purge); the summary's own segment is emptied in memory, gone with the summary's
    /// next write.
    /// </summary>
    public async Task ClearAsync()
    {
        await Task.WhenAll(_segments.Select((s, i) => InSummary(i) ? Task.CompletedTask : _storage.ClearStateAsync(StateName(i), _grainId, s)));
        _summary.State.FirstSegment = null;
    }

    /// <summary>Writes segment <paramref name="segment"/> with all it holds: its record, or the summary holding it.</summary>
    private Task WriteWholeAsync(int segment) =>
        InSummary(segment) ? _summary.WriteStateAsync() : _storage.WriteStateAsync(StateName(segment), _grainId, _segments[segment]);

    /// <summary>The entries of segment <paramref name="segment"/>: for the one the summary holds, the summary's own list.</summary>
    private List<InstanceEntry> EntriesOf(int segment) =>
        InSummary(segment) ? _summary.State.FirstSegment ??= [] : _segments[segment].State!.Entries;

    private static string StateName(int segment) => $"manifest-{segment}";
}
