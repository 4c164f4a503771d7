using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Audit;

/// <summary>A block of consecutive records of a trail written by an earlier version (key: segment number from 0); read only.</summary>
[Alias("mirc.IAuditSegmentGrain")]
public interface IAuditSegmentGrain : IGrainWithIntegerKey
{
    /// <summary>The records, in order.</summary>
    [Alias("GetRecords")]
    [ReadOnly]
    Task<IReadOnlyList<AuditRecord>> GetRecordsAsync();
}
