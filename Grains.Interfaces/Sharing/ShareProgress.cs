namespace Mirc.Grains.Interfaces.Sharing;

/// <summary>Counts a push worker reports for the instances it handled since its previous report.</summary>
/// <param name="Total">Instances to send in the whole share.</param>
/// <param name="Completed">Instances accepted since the last report.</param>
/// <param name="FailedSopInstanceUids">Instances that failed since the last report.</param>
[GenerateSerializer, Immutable, Alias("mirc.ShareProgress")]
public sealed record ShareProgress(
    [property: Id(0)] int Total,
    [property: Id(1)] int Completed,
    [property: Id(2)] IReadOnlyList<string> FailedSopInstanceUids);
