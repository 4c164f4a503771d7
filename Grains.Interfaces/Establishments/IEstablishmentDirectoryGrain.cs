using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Establishments;

/// <summary>
/// Region-wide list of establishments (single instance, key <see cref="SingletonKey"/>): a projection of each
/// <see cref="IEstablishmentGrain"/>, which stays the system of record and records itself here when saved or activated.
/// </summary>
[Alias("mirc.IEstablishmentDirectoryGrain")]
public interface IEstablishmentDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The one key of this grain.</summary>
    const string SingletonKey = "region";

    /// <summary>Every known establishment, by id.</summary>
    [ReadOnly]
    [Alias("GetAll")]
    Task<IReadOnlyList<EstablishmentListing>> GetAllAsync();

    /// <summary>Adds or replaces the entry of <paramref name="listing"/>'s establishment (nothing written when unchanged).</summary>
    [Alias("Record")]
    Task RecordAsync(EstablishmentListing listing);
}
