using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Security;

/// <summary><see cref="IAeTitleDirectory"/> over <see cref="IAeTitleRegistryGrain"/>.</summary>
public sealed class AeTitleRegistryDirectory(IGrainFactory grains) : IAeTitleDirectory
{
    /// <inheritdoc />
    public async Task<string?> FindEstablishmentAsync(string aeTitle, CancellationToken cancellationToken = default)
    {
        var registration = await grains.GetGrain<IAeTitleRegistryGrain>(IAeTitleRegistryGrain.SingletonKey)
            .ResolveAsync(aeTitle.Trim()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return registration?.EstablishmentId;
    }
}
