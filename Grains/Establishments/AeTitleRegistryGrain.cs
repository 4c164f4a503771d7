using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Establishments;

/// <summary>Region-wide AE title → establishment map (one activation, key <see cref="IAeTitleRegistryGrain.SingletonKey"/>).</summary>
public sealed class AeTitleRegistryGrain : Grain, IAeTitleRegistryGrain
{
    private readonly IPersistentState<AeTitleRegistryState> _state;

    /// <summary>Creates the grain.</summary>
    public AeTitleRegistryGrain([PersistentState("aetitles", StorageProviders.Archive)] IPersistentState<AeTitleRegistryState> state) =>
        _state = state;

    /// <inheritdoc />
    public Task<AeTitleRegistration?> ResolveAsync(string aeTitle) =>
        Task.FromResult(_state.State.Entries.GetValueOrDefault(AeTitles.Normalize(aeTitle)));

    /// <inheritdoc />
    public Task<IReadOnlyList<AeTitleRegistration>> GetAllAsync() =>
        Task.FromResult<IReadOnlyList<AeTitleRegistration>>(_state.State.Entries.Values.ToArray());

    /// <inheritdoc />
    public async Task RegisterAsync(string establishmentId, AeTitleEntry entry)
    {
        if (!AeTitles.IsValid(entry.AeTitle))
        {
            throw new ArgumentException($"'{entry.AeTitle}' is not a valid AE title.", nameof(entry));
        }

        var title = AeTitles.Normalize(entry.AeTitle);
        if (_state.State.Entries.TryGetValue(title, out var current))
        {
            if (current.EstablishmentId != establishmentId)
            {
                throw new InvalidOperationException($"AE title '{title}' already belongs to establishment {current.EstablishmentId}.");
            }

            if (current.Entry == entry with { AeTitle = title })
            {
                return;
            }
        }

        _state.State.Entries[title] = new AeTitleRegistration(establishmentId, entry with { AeTitle = title });
        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }

    /// <inheritdoc />
    public async Task UnregisterAsync(string establishmentId, string aeTitle)
    {
        var title = AeTitles.Normalize(aeTitle);
        if (_state.State.Entries.TryGetValue(title, out var current) && current.EstablishmentId == establishmentId)
        {
            _state.State.Entries.Remove(title);
            await _state.WriteOrResetAsync(DeactivateOnIdle);
        }
    }
}
