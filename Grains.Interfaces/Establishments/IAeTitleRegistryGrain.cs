using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>
/// Region-wide AE title → establishment map (single instance, key <see cref="SingletonKey"/>). Callers on the
/// hot path (DIMSE association accept) use the cached <c>Mirc.Grains.Establishments.AeTitleResolver</c> instead.
/// </summary>
[Alias("mirc.IAeTitleRegistryGrain")]
public interface IAeTitleRegistryGrain : IGrainWithStringKey
{
    /// <summary>The one key of this grain.</summary>
    const string SingletonKey = "region";

    /// <summary>The registration of <paramref name="aeTitle"/>, or null.</summary>
    [Alias("Resolve")]
    [ReadOnly]
    Task<AeTitleRegistration?> ResolveAsync(string aeTitle);

    /// <summary>All registrations (for cache warm-up and administration).</summary>
    [Alias("GetAll")]
    [ReadOnly]
    Task<IReadOnlyList<AeTitleRegistration>> GetAllAsync();

    /// <summary>Registers or updates <paramref name="entry"/> for <paramref name="establishmentId"/>.</summary>
    /// <exception cref="InvalidOperationException">The AE title belongs to another establishment.</exception>
    [Alias("Register")]
    Task RegisterAsync(string establishmentId, AeTitleEntry entry);

    /// <summary>Removes the AE title if it belongs to <paramref name="establishmentId"/>.</summary>
    [Alias("Unregister")]
    Task UnregisterAsync(string establishmentId, string aeTitle);
}
