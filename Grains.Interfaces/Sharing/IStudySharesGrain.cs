using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>Ids of the shares of one study (key: Study Instance UID), oldest first.</summary>
[Alias("mirc.IStudySharesGrain")]
public interface IStudySharesGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="shareId"/> (no duplicate).</summary>
    [Alias("Add")]
    Task AddAsync(string shareId);

    /// <summary>The share ids.</summary>
    [Alias("GetAll")]
    [ReadOnly]
    Task<IReadOnlyList<string>> GetAllAsync();
}
