using Mirc.Grains.Interfaces.Professionals;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Establishments;

/// <summary>Minimal professional registry entry (key: RPPS number).</summary>
public sealed class ProfessionalGrain : Grain, IProfessionalGrain
{
    private readonly IPersistentState<ProfessionalState> _state;

    /// <summary>Creates the grain.</summary>
    public ProfessionalGrain([PersistentState("professional", StorageProviders.Archive)] IPersistentState<ProfessionalState> state) =>
        _state = state;

    /// <inheritdoc />
    public Task<ProfessionalProfile?> GetAsync() => Task.FromResult(_state.State.Profile);

    /// <inheritdoc />
    public async Task SaveAsync(ProfessionalProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.ProfessionalId != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"Profile of {profile.ProfessionalId} saved into professional {this.GetPrimaryKeyString()}.", nameof(profile));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(profile.Name);
        _state.State.Profile = profile;
        await _state.WriteOrResetAsync(DeactivateOnIdle);
    }
}
