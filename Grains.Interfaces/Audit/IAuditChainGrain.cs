using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Audit;

/// <summary>
/// Head of a trail written by an earlier version in grain-state segments (key <see cref="SingletonKey"/>); read only,
/// to migrate it into the audit store. Use <see cref="IAuditTrail"/>.
/// </summary>
[Alias("mirc.IAuditChainGrain")]
public interface IAuditChainGrain : IGrainWithStringKey
{
    /// <summary>The one key.</summary>
    const string SingletonKey = "region";

    /// <summary>The head of the former trail.</summary>
    [Alias("GetHead")]
    [ReadOnly]
    Task<AuditChainHead> GetHeadAsync();
}
