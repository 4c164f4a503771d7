using Mirc.Grains.Storage;

namespace Mirc.Grains.Retention;

/// <summary><see cref="IRetentionBucketGrain"/>: a set of study UIDs, written only when it changes.</summary>
public sealed class RetentionBucketGrain : Grain, IRetentionBucketGrain
{
    private readonly IPersistentState<RetentionBucketState> _state;

    /// <summary>Creates the grain.</summary>
    public RetentionBucketGrain([PersistentState("retention-bucket", StorageProviders.Archive)] IPersistentState<RetentionBucketState> state) =>
        _state = state;

    /// <inheritdoc />
    public async Task AddAsync(string studyInstanceUid)
    {
        if (_state.State.Studies.Add(studyInstanceUid))
        {
            await _state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string studyInstanceUid)
    {
        if (_state.State.Studies.Remove(studyInstanceUid))
        {
            await _state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetStudiesAsync() => Task.FromResult<IReadOnlyList<string>>([.. _state.State.Studies]);
}
