using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Professionals;

/// <summary>Minimal professional registry entry (key: RPPS number).</summary>
[Alias("mirc.IProfessionalGrain")]
public interface IProfessionalGrain : IGrainWithStringKey
{
    /// <summary>The profile, or null when unknown.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ProfessionalProfile?> GetAsync();

    /// <summary>Creates or replaces the profile.</summary>
    [Alias("Save")]
    Task SaveAsync(ProfessionalProfile profile);
}
