using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Sharing;

/// <summary>Region-wide list of unfinished shares (key <see cref="IPendingSharesGrain.SingletonKey"/>); small: finished shares leave it.</summary>
public sealed class PendingSharesGrain : Grain, IPendingSharesGrain
{
    private readonly IPersistentState<PendingSharesState> _state;

    /// <summary>Creates the grain.</summary>
    public PendingSharesGrain([PersistentState("pendingShares", StorageProviders.Archive)] IPersistentState<PendingSharesState> state) =>
        _state = state;

    /// <inheritdoc />
    public async Task AddAsync(string shareId)
    {
        if (_state.State.ShareIds.Contains(shareId, StringComparer.Ordinal)) return;
        _state.State.ShareIds.Add(shareId);
        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string shareId)
    {
        if (_state.State.ShareIds.Remove(shareId)) await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetAllAsync() => Task.FromResult<IReadOnlyList<string>>(_state.State.ShareIds.ToArray());
}
