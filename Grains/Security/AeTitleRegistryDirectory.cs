using Mirc.Grains.Establishments;

namespace Mirc.Grains.Security;

/// <summary>
/// <see cref="IAeTitleDirectory"/> over the AE title registry through the per-silo <see cref="AeTitleResolver"/> cache:
/// every DICOM association asks, and without the cache each one queued on the registry's single activation.
/// </summary>
public sealed class AeTitleRegistryDirectory(AeTitleResolver resolver) : IAeTitleDirectory
{
    /// <inheritdoc />
    public async Task<string?> FindEstablishmentAsync(string aeTitle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aeTitle);
        var registration = await resolver.ResolveAsync(aeTitle.Trim(), cancellationToken).ConfigureAwait(false);
        return registration?.EstablishmentId;
    }

    /// <inheritdoc />
    public void Forget(string aeTitle) => resolver.Invalidate(aeTitle);
}
