using System.Text.Json;
using Mirc.Bench.Run;

namespace Mirc.Bench.Reporting;

/// <summary>Writes and reads <c>results.json</c> and writes <c>results.md</c>.</summary>
public static class ReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync(BenchReport report, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "results.json");
        var markdown = Path.Combine(folder, "results.md");
        await using (var stream = File.Create(json))
        {
            await JsonSerializer.SerializeAsync(stream, report, ReportJson.Default.BenchReport, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(markdown, MarkdownTable.Single(report), cancellationToken).ConfigureAwait(false);
        return (json, markdown);
    }

    /// <summary>Reads a <c>results.json</c> written by <see cref="WriteAsync"/>.</summary>
    public static async Task<BenchReport> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, ReportJson.Default.BenchReport, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} holds no report");
    }
}
