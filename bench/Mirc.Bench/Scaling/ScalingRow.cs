namespace Mirc.Bench.Scaling;

/// <summary>The measured retrievals of one study size by one protocol.</summary>
/// <param name="Protocol">Retrieval kind, e.g. <c>dimse.c-get</c> or <c>dicomweb.wado</c>.</param>
/// <param name="Instances">Instances in the study, each retrieval moves all of them.</param>
/// <param name="Seconds">Wall time of every successful retrieval, in run order.</param>
/// <param name="Failures">Retrievals that failed (including a study that could not be stored: then every planned one).</param>
/// <param name="Error">First failure message, if any.</param>
/// <param name="LoadAverage">The machine's 1-minute load average when this row's retrievals started.</param>
public sealed record ScalingRow(string Protocol, int Instances, IReadOnlyList<double> Seconds, int Failures, string? Error, double? LoadAverage)
{
    /// <summary>Fastest successful retrieval; 0 when none succeeded.</summary>
    public double BestSeconds => Seconds.Count == 0 ? 0 : Seconds.Min();

    /// <summary>Median of the successful retrievals (mean of the middle two for an even count); 0 when none succeeded.</summary>
    public double MedianSeconds => Median(Seconds);

    /// <summary>Instances per second of the median retrieval.</summary>
    public double ImagesPerSecond => MedianSeconds > 0 ? Instances / MedianSeconds : 0;

    /// <summary>Cost per instance of the fastest retrieval, in microseconds.</summary>
    public double BestMicrosecondsPerInstance => BestSeconds * 1e6 / Instances;

    /// <summary>Cost per instance of the median retrieval, in microseconds.</summary>
    public double MedianMicrosecondsPerInstance => MedianSeconds * 1e6 / Instances;

    /// <summary>Median of <paramref name="values"/>; 0 for none.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
