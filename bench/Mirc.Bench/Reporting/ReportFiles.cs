using System.Text.Json;
using Mirc.Bench.Run;

namespace Mirc.Bench.Reporting;

/// <summary>Writes and reads <c>results.json</c> and writes <c>results.md</c>.</summary>
public static class ReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static Task<(string Json, string Markdown)> WriteAsync(BenchReport report, string folder, CancellationToken cancellationToken) =>
        ReportPair.WriteAsync(report, ReportJson.Default.BenchReport, MarkdownTable.Single(report), folder, "results", cancellationToken);

    /// <summary>Reads a <c>results.json</c> written by <see cref="WriteAsync"/>.</summary>
    public static async Task<BenchReport> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, ReportJson.Default.BenchReport, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} holds no report");
    }
}
