using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>
/// Region-wide list of shares not finished yet (key <see cref="SingletonKey"/>), read at each silo start to re-register
/// the reminders of queued, running and retrying shares (due when their next attempt is).
/// </summary>
[Alias("mirc.IPendingSharesGrain")]
public interface IPendingSharesGrain : IGrainWithStringKey
{
    /// <summary>The one key of this grain.</summary>
    const string SingletonKey = "region";

    /// <summary>Adds a share id.</summary>
    [Alias("Add")]
    Task AddAsync(string shareId);

    /// <summary>Removes a share id.</summary>
    [Alias("Remove")]
    Task RemoveAsync(string shareId);

    /// <summary>The pending share ids, oldest first.</summary>
    [Alias("GetAll")]
    [ReadOnly]
    Task<IReadOnlyList<string>> GetAllAsync();
}
