using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>Persisted records of one audit segment.</summary>
[GenerateSerializer, Alias("mirc.AuditSegmentState")]
public sealed class AuditSegmentState
{
    /// <summary>Records in chain order.</summary>
    [Id(0)] public List<AuditRecord> Records { get; set; } = [];
}
