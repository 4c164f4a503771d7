using System.Globalization;
using System.Text;

namespace Mirc.Bench.Scaling;

/// <summary>The Markdown of a <c>retrieve-scaling</c> run: one row per size and protocol, then the flatness ratios.</summary>
public static class ScalingReportMarkdown
{
    /// <summary>Formats <paramref name="report"/>.</summary>
    public static string Format(ScalingReport report)
    {
        var text = new StringBuilder();
        var flatness = report.Flatness;
        var headline = flatness.Count == 0
            ? "no ratio (needs two sizes retrieved)"
            : string.Join(", ", flatness.Select(f => Invariant($"{f.Protocol} {f.LargestInstances} vs {f.ReferenceInstances} instances {f.BestRatio:0.00}x")));
        text.AppendLine(Invariant($"# Retrieve cost per instance against study size (issue #8): {headline}"));
        text.AppendLine();
        text.AppendLine(Invariant($"- started {report.StartedUtc:u}; {report.Machine}"));
        text.AppendLine(Invariant($"- target {report.Target}"));
        text.AppendLine(Invariant($"- data: {report.Data}; each study stored fresh (not measured); {(report.WarmUp ? "after one unmeasured warm-up retrieval of each, " : "no warm-up, ")}{report.Repeat} rounds each retrieving every study whole once per protocol (sizes interleaved, so drift in load or JIT state hits all sizes alike), C-GET on a new association each time"));
        text.AppendLine("- images/s of the median run; µs/instance = wall time of a whole retrieval / instances");
        text.AppendLine();
        text.AppendLine("| protocol | instances | runs | best s | median s | images/s | µs/instance best | µs/instance median | load 1-min | failures |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var r in report.Rows)
        {
            text.AppendLine(Invariant(
                $"| {r.Protocol} | {r.Instances} | {r.Seconds.Count} | {r.BestSeconds:0.000} | {r.MedianSeconds:0.000} | {r.ImagesPerSecond:0} | {r.BestMicrosecondsPerInstance:0} | {r.MedianMicrosecondsPerInstance:0} | {r.LoadAverage:0.0} | {Failures(r)} |"));
        }

        text.AppendLine();
        foreach (var f in flatness)
        {
            text.AppendLine(Invariant(
                $"- `{f.Protocol}`: cost per instance at {f.LargestInstances} instances / at {f.ReferenceInstances} = **{f.BestRatio:0.00}x** (best runs), {f.MedianRatio:0.00}x (median runs); 1.00 = flat; the line through the two best runs: {f.FixedMilliseconds:0.0} ms per retrieval + {f.MarginalMicrosecondsPerInstance:0} µs per instance"));
        }

        var smallest = report.Rows.Count == 0 ? 0 : report.Rows.Min(r => r.Instances);
        if (flatness.Any(f => f.ReferenceInstances > smallest))
        {
            text.AppendLine(Invariant(
                $"- the {smallest}-instance study is dominated by per-retrieval set-up (TCP connect, association negotiation, the query, release; HTTP request and response headers), paid once whatever the size, so its cost per instance is high and it is left out of the ratio"));
        }

        return text.ToString();
    }

    private static string Failures(ScalingRow row) => row.Failures == 0 ? "0" : $"{row.Failures} ({row.Error?.Replace('|', '/').Replace('\n', ' ')})";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
