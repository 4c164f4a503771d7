using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Establishments;

/// <summary>
/// Region-wide list of establishments (one activation, key <see cref="IEstablishmentDirectoryGrain.SingletonKey"/>),
/// fed by the establishment grains so that listing them never activates each one.
/// </summary>
public sealed class EstablishmentDirectoryGrain : Grain, IEstablishmentDirectoryGrain
{
    private readonly IPersistentState<EstablishmentDirectoryState> _state;

    /// <summary>Creates the grain.</summary>
    public EstablishmentDirectoryGrain([PersistentState("establishments", StorageProviders.Archive)] IPersistentState<EstablishmentDirectoryState> state) =>
        _state = state;

    /// <inheritdoc />
    public Task<IReadOnlyList<EstablishmentListing>> GetAllAsync() =>
        Task.FromResult<IReadOnlyList<EstablishmentListing>>(_state.State.Entries.Values.OrderBy(e => e.EstablishmentId, StringComparer.Ordinal).ToArray());

    /// <inheritdoc />
    public async Task RecordAsync(EstablishmentListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        // Every activation of an establishment records itself: an unchanged entry costs no write.
        if (_state.State.Entries.TryGetValue(listing.EstablishmentId, out var current) && current == listing)
        {
            return;
        }

        _state.State.Entries[listing.EstablishmentId] = listing;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }
}
