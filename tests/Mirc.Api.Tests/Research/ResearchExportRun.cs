using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>Starts an export of a project through the API and waits (60 s at most) until it has completed or failed.</summary>
internal static class ResearchExportRun
{
    /// <summary>The export's final state and its output folder under <paramref name="dataPath"/> (embedded default).</summary>
    public static async Task<(JsonElement Export, string Folder)> RunAsync(HttpClient client, string projectId, string dataPath)
    {
        var ct = TestContext.Current.CancellationToken;
        using var started = await client.PostAsync($"/api/research/projects/{projectId}/exports", null, ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var export = await client.GetFromJsonAsync<JsonElement>(location, ct);
            if (export.GetProperty("status").GetString() is "completed" or "failed")
            {
                return (export, Path.Combine(dataPath, "blobs", "mirc-research", projectId, export.GetProperty("exportId").GetString()!));
            }

            Assert.True(DateTime.UtcNow < deadline, $"export {location} did not finish in 60 s: {export}");
            await Task.Delay(100, ct);
        }
    }
}
