using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces.Security;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Security;
using Mirc.Silo.Admin;
using Xunit;

namespace Mirc.Integration.Tests.ChangeFeed;

/// <summary>
/// The query index is a projection: studies stored with dcmtk's storescu, the index database deleted while the silo is
/// down, <c>admin reindex</c> on the restarted silo — and QIDO-RS answers byte for byte as before.
/// </summary>
public sealed class ReindexTests : IDisposable
{
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }

    // The follower would start repairing the lost index on its own: these tests show what the admin command does.
    private static readonly Dictionary<string, string?> NoFollower = new() { ["Mirc:ChangeFeed:Follower:Enabled"] = "false" };

    [Fact]
    public Task Index_deleted_then_rebuilt_by_admin_reindex_answers_qido_byte_for_byte() =>
        LoseThenReindexAsync(["index.db*"], ["reindex"], "reindexed 3 studies (7 instances");

    [Fact]
    public Task Feed_and_index_deleted_then_backfilled_and_rebuilt_by_admin_reindex_answer_qido_byte_for_byte() =>
        // As a data folder from before the change feed: no events, and an index to rebuild (or to complete) from them.
        LoseThenReindexAsync(["index.db*", "changefeed.db*"], ["reindex", "--backfill"], "change feed backfilled: 3 of 3 stored studies were not in it (7 Create events appended)");

    private async Task LoseThenReindexAsync(string[] lostFiles, string[] command, string expectedOutput)
    {
        var ct = TestContext.Current.CancellationToken;
        SyntheticStudy[] studies =
        [
            new("PAT-REINDEX-1", "MARTIN^Anne", 1, 2),
            new("PAT-REINDEX-2", "BERNARD^Luc", 2, 2),
            new("PAT-REINDEX-1", "MARTIN^Anne", 1, 1),
        ];
        var queries = new List<string> { "studies", "series", "instances", "studies?PatientID=PAT-REINDEX-1", "studies?PatientName=MARTIN*&includefield=all" };
        foreach (var study in studies)
        {
            queries.Add($"studies/{study.StudyUid}/series");
            queries.Add($"studies/{study.StudyUid}/instances");
            queries.Add($"studies/{study.StudyUid}/series/{study.SeriesUids[0]}/instances");
        }

        Dictionary<string, string> before;
        await using (var first = new MircHostFactory(_data.Path, NoFollower))
        {
            _ = first.Server;
            for (var i = 0; i < studies.Length; i++)
            {
                var files = await studies[i].WriteAsync(Path.Combine(_work.Path, "in" + i), DicomTransferSyntax.ExplicitVRLittleEndian);
                await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", first.DicomPort.ToString(), .. files]);
            }

            before = await AnswersAsync(first, queries, ct);
            Assert.Contains("BERNARD^Luc", before["studies"], StringComparison.Ordinal);
        }

        foreach (var file in lostFiles.SelectMany(pattern => Directory.GetFiles(_data.Path, pattern)))
        {
            File.Delete(file);
        }

        await using var second = new MircHostFactory(_data.Path, NoFollower);
        _ = second.Server;
        Assert.NotEqual(before["studies"], (await AnswersAsync(second, ["studies"], ct))["studies"]);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCommand.RunAsync([.. command, $"--Mirc:GatewayPort={second.GatewayPort}"], output, error, ct);
        Assert.True(exit == 0, error.ToString() + output);
        Assert.Contains(expectedOutput, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("reindexed 3 studies (7 instances", output.ToString(), StringComparison.Ordinal);
        var feed = second.Services.GetRequiredService<IChangeFeed>();
        Assert.All(studies, study => Assert.NotEmpty(feed.StudyEventsAsync(study.StudyUid, ct).GetAwaiter().GetResult()));

        var after = await AnswersAsync(second, queries, ct);
        foreach (var query in queries)
        {
            Assert.Equal(before[query], after[query]);
        }
    }

    private static async Task<Dictionary<string, string>> AnswersAsync(MircHostFactory host, IEnumerable<string> queries, CancellationToken ct)
    {
        using var http = host.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist));
        var answers = new Dictionary<string, string>();
        foreach (var query in queries)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/" + query);
            request.Headers.Accept.ParseAdd("application/dicom+json");
            var response = await http.SendAsync(request, ct);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{query}: {response.StatusCode}");
            answers[query] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
        }

        return answers;
    }
}
