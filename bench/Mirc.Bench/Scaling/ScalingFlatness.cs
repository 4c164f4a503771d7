namespace Mirc.Bench.Scaling;

/// <summary>
/// "Flat" as a number for one protocol: the largest study's cost per instance divided by the reference study's
/// (1.00 = flat, above 1 = each instance costs more in a bigger study).
/// </summary>
/// <param name="Protocol">Retrieval kind.</param>
/// <param name="ReferenceInstances">Size compared against: the smallest-but-one when there are three sizes or more (the smallest is dominated by association set-up), else the smallest.</param>
/// <param name="LargestInstances">The largest size.</param>
/// <param name="BestRatio">Ratio of the best-run costs per instance.</param>
/// <param name="MedianRatio">Ratio of the median-run costs per instance.</param>
/// <param name="MarginalMicrosecondsPerInstance">
/// Slope of the straight line through the two best runs (time = fixed + marginal × instances): what one more instance costs.
/// </param>
/// <param name="FixedMilliseconds">Intercept of that line: the per-retrieval set-up the ratio's reference size still carries.</param>
public sealed record ScalingFlatness(
    string Protocol, int ReferenceInstances, int LargestInstances, double BestRatio, double MedianRatio,
    double MarginalMicrosecondsPerInstance, double FixedMilliseconds)
{
    /// <summary>One ratio per protocol of <paramref name="rows"/> that has two sizes or more with a successful retrieval at both ends.</summary>
    public static IReadOnlyList<ScalingFlatness> Of(IReadOnlyList<ScalingRow> rows) =>
        rows.GroupBy(r => r.Protocol)
            .Select(Of)
            .OfType<ScalingFlatness>()
            .ToArray();

    private static ScalingFlatness? Of(IGrouping<string, ScalingRow> protocol)
    {
        var bySize = protocol.OrderBy(r => r.Instances).ToArray();
        if (bySize.Length < 2) return null;
        var reference = bySize.Length >= 3 ? bySize[1] : bySize[0];
        var largest = bySize[^1];
        if (reference.Seconds.Count == 0 || largest.Seconds.Count == 0) return null;
        var marginalSeconds = (largest.BestSeconds - reference.BestSeconds) / (largest.Instances - reference.Instances);
        return new ScalingFlatness(
            protocol.Key, reference.Instances, largest.Instances,
            largest.BestMicrosecondsPerInstance / reference.BestMicrosecondsPerInstance,
            largest.MedianMicrosecondsPerInstance / reference.MedianMicrosecondsPerInstance,
            marginalSeconds * 1e6,
            (reference.BestSeconds - marginalSeconds * reference.Instances) * 1e3);
    }
}
