namespace Mirc.Grains.Interfaces.Audit;

/// <summary>Tip of the audit chain.</summary>
/// <param name="LastSequence">Sequence of the last committed record (0 when empty).</param>
/// <param name="LastHash">Hash of the last committed record.</param>
/// <param name="SegmentCount">Number of segments holding records (segments are numbered from 0).</param>
[GenerateSerializer, Immutable, Alias("mirc.AuditChainHead")]
public sealed record AuditChainHead(
    [property: Id(0)] long LastSequence,
    [property: Id(1)] string LastHash,
    [property: Id(2)] long SegmentCount);
