using System.Text.Json;

namespace Mirc.Bench.Memory;

/// <summary>Writes <c>memory.json</c> and <c>memory.md</c>.</summary>
public static class MemoryReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync(MemoryReport report, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "memory.json");
        var markdown = Path.Combine(folder, "memory.md");
        await using (var stream = File.Create(json))
        {
            await JsonSerializer.SerializeAsync(stream, report, MemoryReportJson.Default.MemoryReport, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(markdown, MemoryReportMarkdown.Format(report), cancellationToken).ConfigureAwait(false);
        return (json, markdown);
    }
}
