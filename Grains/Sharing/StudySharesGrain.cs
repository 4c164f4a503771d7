using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Sharing;

/// <summary>The share ids of one study (key: Study Instance UID).</summary>
public sealed class StudySharesGrain : Grain, IStudySharesGrain
{
    private readonly IPersistentState<StudySharesState> _state;

    /// <summary>Creates the grain.</summary>
    public StudySharesGrain([PersistentState("studyShares", StorageProviders.Archive)] IPersistentState<StudySharesState> state) =>
        _state = state;

    /// <inheritdoc />
    public async Task AddAsync(string shareId)
    {
        if (_state.State.ShareIds.Contains(shareId, StringComparer.Ordinal)) return;
        _state.State.ShareIds.Add(shareId);
        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetAllAsync() => Task.FromResult<IReadOnlyList<string>>(_state.State.ShareIds.ToArray());
}
