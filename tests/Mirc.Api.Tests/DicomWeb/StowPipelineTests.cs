using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Shares;
using Mirc.Grains.Retrieval;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

/// <summary>
/// STOW-RS parts are committed while the next ones are read (small parts buffered, at most a few in flight) and parts
/// too large to buffer are streamed: every instance must still be stored intact and reported in part order.
/// </summary>
public sealed class StowPipelineTests : IAsyncLifetime
{
    private ShareTestHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ShareTestHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Buffered_and_streamed_parts_are_all_stored_intact_in_part_order()
    {
        var study = StudyDescription.Create();
        var series = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 9)
            // Part 5 is over the 8 MiB buffering limit (2100 x 2100 x 16 bits), so it takes the streamed path.
            .Select(n => n == 5 ? SyntheticInstance.Native(study, series, 1, n, frames: 1, rows: 2100, columns: 2100) : SyntheticInstance.Native(study, series, 1, n))
            .ToArray();
        Assert.True(instances[4].Bytes.Length > 8 * 1024 * 1024);

        using var response = await _host.Http.StowAsync(instances.Select(i => i.Bytes));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var referenced = (await response.ReadJsonAsync()).GetProperty("00081199").GetProperty("Value").EnumerateArray()
            .Select(item => item.GetProperty("00081155").GetProperty("Value")[0].GetString()).ToArray();
        Assert.Equal(instances.Select(i => i.SopUid), referenced);

        var retriever = _host.Services.GetRequiredService<IInstanceRetriever>();
        var entries = await retriever.ResolveAsync(new RetrievalScope(study.StudyUid), Ct);
        Assert.Equal(instances.Length, entries.Count);
        foreach (var entry in entries)
        {
            await using var stream = await retriever.OpenInstanceAsync(entry, Ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            var original = instances.Single(i => i.SopUid == entry.SopInstanceUid);
            Assert.True(Part10DataSet.Of(copy.ToArray()).SequenceEqual(Part10DataSet.Of(original.Bytes)), $"dataset of part {Array.IndexOf(instances, original) + 1} differs");
        }
    }
}
