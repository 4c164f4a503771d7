using Mirc.Bench.Reporting;

namespace Mirc.Bench.Scaling;

/// <summary>Writes <c>retrieve-scaling.json</c> and <c>retrieve-scaling.md</c>.</summary>
public static class ScalingReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static Task<(string Json, string Markdown)> WriteAsync(ScalingReport report, string folder, CancellationToken cancellationToken) =>
        ReportPair.WriteAsync(report, ScalingReportJson.Default.ScalingReport, ScalingReportMarkdown.Format(report), folder, "retrieve-scaling", cancellationToken);
}
