using System.Text.Json;

namespace Mirc.Bench.Scaling;

/// <summary>Writes <c>retrieve-scaling.json</c> and <c>retrieve-scaling.md</c>.</summary>
public static class ScalingReportFiles
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync(ScalingReport report, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, "retrieve-scaling.json");
        var markdown = Path.Combine(folder, "retrieve-scaling.md");
        await using (var stream = File.Create(json))
        {
            await JsonSerializer.SerializeAsync(stream, report, ScalingReportJson.Default.ScalingReport, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(markdown, ScalingReportMarkdown.Format(report), cancellationToken).ConfigureAwait(false);
        return (json, markdown);
    }
}
