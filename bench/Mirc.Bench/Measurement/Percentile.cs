namespace Mirc.Bench.Measurement;

/// <summary>Percentiles of a sorted sample.</summary>
public static class Percentile
{
    /// <summary>Nearest-rank percentile (the smallest value with at least <paramref name="p"/>% of the sample at or below it); 0 for an empty sample.</summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
