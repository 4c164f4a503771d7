using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>An establishment (key: establishment id, e.g. FINESS number).</summary>
[Alias("mirc.IEstablishmentGrain")]
public interface IEstablishmentGrain : IGrainWithStringKey
{
    /// <summary>The profile, or null when the establishment is not registered.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<EstablishmentProfile?> GetAsync();

    /// <summary>
    /// Creates or replaces the profile; AE titles are (un)registered in the <see cref="IAeTitleRegistryGrain"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">An AE title already belongs to another establishment.</exception>
    [Alias("Save")]
    Task SaveAsync(EstablishmentProfile profile);

    /// <summary>Adds or replaces an AE title.</summary>
    [Alias("SetAeTitle")]
    Task SetAeTitleAsync(AeTitleEntry entry);

    /// <summary>Removes an AE title.</summary>
    [Alias("RemoveAeTitle")]
    Task RemoveAeTitleAsync(string aeTitle);

    /// <summary>Adds or replaces a member.</summary>
    [Alias("SetMember")]
    Task SetMemberAsync(EstablishmentMember member);

    /// <summary>Removes a member.</summary>
    [Alias("RemoveMember")]
    Task RemoveMemberAsync(string professionalId);
}
