namespace Mirc.Grains.Interfaces.Audit;

/// <summary>Tip of the audit chain.</summary>
/// <param name="LastSequence">Sequence of the last committed record (0 when empty).</param>
/// <param name="LastHash">Hash of the last committed record.</param>
/// <param name="SegmentCount">Former grain-state trail: segments holding records (numbered from 0); the audit store: 1 when not empty.</param>
[GenerateSerializer, Immutable, Alias("mirc.AuditChainHead")]
public sealed record AuditChainHead(
    [property: Id(0)] long LastSequence,
    [property: Id(1)] string LastHash,
    [property: Id(2)] long SegmentCount);
