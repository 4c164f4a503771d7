using System.Globalization;
using System.Text;
using Mirc.Bench.Measurement;
using Mirc.Bench.Run;

namespace Mirc.Bench.Reporting;

/// <summary>Markdown tables of one run, and of two runs side by side.</summary>
public static class MarkdownTable
{
    /// <summary>Table of one run.</summary>
    public static string Single(BenchReport report)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# {report.Label} — {report.StartedUtc:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Target: {report.Target}  ");
        s.AppendLine(CultureInfo.InvariantCulture, $"Data: {report.Data}  ");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {report.Machine}");
        s.AppendLine();
        s.AppendLine("| operation | requests | images | images/s | target | req/s | MB/s | p50 ms | p95 ms | p99 ms | failures |");
        s.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in report.Results)
        {
            s.AppendLine(Invariant($"| {r.Name} | {r.Requests} | {r.Images} | {r.ImagesPerSecond:0.0} | {Targets.Verdict(r)} | {r.RequestsPerSecond:0.0} | {r.MegabytesPerSecond:0.0} | {r.LatencyP50Ms:0.0} | {r.LatencyP95Ms:0.0} | {r.LatencyP99Ms:0.0} | {Failures(r)} |"));
        }

        s.AppendLine();
        foreach (var r in report.Results) s.AppendLine(Invariant($"- `{r.Name}`: {r.Description}"));
        return s.ToString();
    }

    /// <summary>Two runs on the same operations: each one's headline rate, the ratio ours/theirs, and median latencies.</summary>
    public static string Compare(BenchReport ours, BenchReport theirs)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# {ours.Label} vs {theirs.Label} — {ours.StartedUtc:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Data: {ours.Data}  ");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine during {ours.Label}: {ours.Machine}  ");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine during {theirs.Label}: {theirs.Machine}");
        s.AppendLine();
        s.AppendLine(Invariant($"| operation | unit | {ours.Label} | {theirs.Label} | ratio | {ours.Label} vs target | {ours.Label} MB/s | {theirs.Label} MB/s | {ours.Label} p50/p95/p99 ms | {theirs.Label} p50/p95/p99 ms |"));
        s.AppendLine("|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
        var names = ours.Results.Select(r => r.Name).Concat(theirs.Results.Select(r => r.Name)).Distinct();
        foreach (var name in names)
        {
            var a = ours.Results.FirstOrDefault(r => r.Name == name);
            var b = theirs.Results.FirstOrDefault(r => r.Name == name);
            var unit = (a ?? b)!.Images > 0 ? "images/s" : "req/s";
            var ratio = a is not null && b is not null && Headline(b) > 0 && a.Failures == 0 && b.Failures == 0
                ? Invariant($"{Headline(a) / Headline(b):0.00}×")
                : "–";
            s.AppendLine(Invariant($"| {name} | {unit} | {Rate(a)} | {Rate(b)} | {ratio} | {Targets.Verdict(a)} | {Mb(a)} | {Mb(b)} | {Latency(a)} | {Latency(b)} |"));
        }

        return s.ToString();
    }

    /// <summary>The figure an operation is judged by: images/s when it moves images, requests/s otherwise.</summary>
    public static double Headline(OperationResult r) => r.Images > 0 ? r.ImagesPerSecond : r.RequestsPerSecond;

    private static string Rate(OperationResult? r) => r is null ? "–" : r.Failures > 0 && r.Requests == 0 ? "failed" : Invariant($"{Headline(r):0.0}") + (r.Failures > 0 ? " (!)" : "");

    private static string Mb(OperationResult? r) => r is null ? "–" : Invariant($"{r.MegabytesPerSecond:0.0}");

    private static string Latency(OperationResult? r) => r is null || r.Requests == 0 ? "–" : Invariant($"{r.LatencyP50Ms:0.0} / {r.LatencyP95Ms:0.0} / {r.LatencyP99Ms:0.0}");

    private static string Failures(OperationResult r) => r.Failures == 0 ? "0" : $"{r.Failures} ({r.Error?.Replace('|', '/')})";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
