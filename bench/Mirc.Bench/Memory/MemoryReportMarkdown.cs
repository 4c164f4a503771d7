using System.Globalization;
using System.Text;

namespace Mirc.Bench.Memory;

/// <summary>The Markdown table of a memory run: one row per step.</summary>
public static class MemoryReportMarkdown
{
    /// <summary>Formats <paramref name="report"/>.</summary>
    public static string Format(MemoryReport report)
    {
        var text = new StringBuilder();
        var limit = Mb(report.LimitBytes);
        text.AppendLine(Invariant($"# Silo memory (issue #8): bound {limit} MB {(report.BoundHeld ? "HELD" : "NOT HELD")}, peak {Mb(report.PeakBytes)} MB"));
        text.AppendLine();
        text.AppendLine(Invariant($"- started {report.StartedUtc:u}; {report.Machine}"));
        text.AppendLine(Invariant($"- target {report.Target}, silo pid {report.SiloPid}"));
        text.AppendLine(Invariant($"- silo VmHWM at the end {Mb(report.SiloHwmAtEndBytes)} MB; benchmark's own peak RSS {Mb(report.BenchPeakRssBytes)} MB"));
        text.AppendLine("- MB = 10^6 bytes; peak = max(VmRSS sampled, VmHWM of the step when it could be reset at the step's start)");
        text.AppendLine();
        text.AppendLine(Invariant($"| step | what | s | images | images/s | MB/s | RSS before MB | peak RSS MB | peak anon MB | VmHWM end MB | samples | < {limit} MB | error |"));
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|---|");
        foreach (var step in report.Steps)
        {
            var (o, m) = (step.Operation, step.Memory);
            text.AppendLine(Invariant(
                $"| {o.Name} | {o.Description} | {o.Seconds:0.0} | {o.Images} | {o.ImagesPerSecond:0.#} | {o.MegabytesPerSecond:0.0} | {Mb(m.Before.RssBytes)} | {Mb(m.PeakBytes)} | {Mb(m.PeakRssAnonBytes)} | {Mb(m.HwmAtEndBytes)}{(m.HwmWasReset ? "" : " (since start)")} | {m.Samples} | {(step.WithinLimit ? "yes" : "**no**")} | {Cell(o.Error ?? m.Error)} |"));
        }

        return text.ToString();
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("0", CultureInfo.InvariantCulture);

    private static string Cell(string? text) => text is null ? "" : text.Replace('|', '/').Replace('\n', ' ');

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
