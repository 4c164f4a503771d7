namespace Mirc.Grains.Interfaces.Audit;

/// <summary>Result of checking the hash chain.</summary>
/// <param name="IsIntact">True when every record links to its predecessor and matches its hash.</param>
/// <param name="RecordsChecked">Number of records examined.</param>
/// <param name="FirstBrokenSequence">Sequence number of the first record that fails, when broken.</param>
/// <param name="Problem">What is wrong with it (altered content, missing predecessor, truncated tail…).</param>
[GenerateSerializer, Immutable, Alias("mirc.AuditVerification")]
public sealed record AuditVerification(
    [property: Id(0)] bool IsIntact,
    [property: Id(1)] long RecordsChecked,
    [property: Id(2)] long? FirstBrokenSequence = null,
    [property: Id(3)] string? Problem = null);
