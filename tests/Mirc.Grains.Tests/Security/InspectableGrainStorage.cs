using System.Collections.Concurrent;
using Orleans.Storage;

namespace Mirc.Grains.Tests.Security;

/// <summary>
/// In-memory "archive" provider whose stored states tests can read and tamper with (the real provider is the
/// storage engineer's; the grains only depend on the <see cref="IGrainStorage"/> contract).
/// </summary>
public sealed class InspectableGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (object Value, string ETag)> _states = new();
    private long _version;

    /// <summary>Number of writes so far.</summary>
    public long WriteCount => Interlocked.Read(ref _version);

    public IEnumerable<T> StatesOf<T>(string stateName) =>
        _states.Where(p => p.Key.State == stateName).Select(p => p.Value.Value).OfType<T>();

    public T? Find<T>(string stateName, GrainId grainId) where T : class =>
        _states.TryGetValue((stateName, grainId), out var entry) ? entry.Value as T : null;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((stateName, grainId), out var entry))
        {
            grainState.State = (T)entry.Value;
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        if (_states.TryGetValue(key, out var existing) && existing.ETag != grainState.ETag)
        {
            throw new InconsistentStateException("ETag mismatch", existing.ETag, grainState.ETag ?? "");
        }

        var etag = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _states[key] = (grainState.State!, etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _states.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
