using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mirc.Bench.Reporting;

/// <summary>Writes a report as <c>NAME.json</c> plus <c>NAME.md</c> side by side (every subcommand's <c>--out</c>).</summary>
public static class ReportPair
{
    /// <summary>Writes both files into <paramref name="folder"/> (created if missing) and returns their paths.</summary>
    public static async Task<(string Json, string Markdown)> WriteAsync<T>(
        T report, JsonTypeInfo<T> jsonType, string markdownText, string folder, string name, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, name + ".json");
        var markdown = Path.Combine(folder, name + ".md");
        await using (var stream = File.Create(json))
        {
            await JsonSerializer.SerializeAsync(stream, report, jsonType, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(markdown, markdownText, cancellationToken).ConfigureAwait(false);
        return (json, markdown);
    }
}
