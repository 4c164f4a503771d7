using System.Globalization;
using Mirc.Bench.Measurement;

namespace Mirc.Bench.Reporting;

/// <summary>The project's throughput targets (300-slice 512×512 CT, 2 cores), shown next to the figures they apply to.</summary>
public static class Targets
{
    private static readonly (string Prefix, double ImagesPerSecond)[] Minimums =
    [
        ("dimse.c-store.k4", 1_100),
        ("dicomweb.stow.b", 1_100),
        ("dimse.c-get.study", 2_500),
        ("dicomweb.wado.study", 4_000),
    ];

    /// <summary>The minimum images/s that applies to <paramref name="operation"/>, if any.</summary>
    public static double? For(string operation) =>
        Minimums.Where(m => operation.StartsWith(m.Prefix, StringComparison.Ordinal)).Select(m => (double?)m.ImagesPerSecond).FirstOrDefault();

    /// <summary>E.g. <c>≥ 1100 ✔</c> / <c>≥ 1100 ✘</c>, or empty when no target applies.</summary>
    public static string Verdict(OperationResult? result)
    {
        if (result is null || For(result.Name) is not { } minimum) return "";
        var met = result.Failures == 0 && result.ImagesPerSecond >= minimum;
        return string.Create(CultureInfo.InvariantCulture, $"≥ {minimum:0} {(met ? "✔" : "✘")}");
    }
}
