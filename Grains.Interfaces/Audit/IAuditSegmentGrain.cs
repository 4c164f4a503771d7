namespace Mirc.Grains.Interfaces.Audit;

/// <summary>A fixed-capacity block of consecutive audit records (key: segment number from 0).</summary>
[Alias("mirc.IAuditSegmentGrain")]
public interface IAuditSegmentGrain : IGrainWithIntegerKey
{
    /// <summary>Appends records (only the chain grain does this).</summary>
    [Alias("Append")]
    Task AppendAsync(IReadOnlyList<AuditRecord> records);

    /// <summary>The records, in order.</summary>
    [Alias("GetRecords")]
    Task<IReadOnlyList<AuditRecord>> GetRecordsAsync();
}
