using Mirc.Bench.Reporting;

namespace Mirc.Bench.Memory;

/// <summary>Writes <c>memory.json</c> and <c>memory.md</c>.</summary>
public static class MemoryReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static Task<(string Json, string Markdown)> WriteAsync(MemoryReport report, string folder, CancellationToken cancellationToken) =>
        ReportPair.WriteAsync(report, MemoryReportJson.Default.MemoryReport, MemoryReportMarkdown.Format(report), folder, "memory", cancellationToken);
}
