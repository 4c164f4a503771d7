using System.Net;
using System.Text;
using System.Text.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.ChangeFeed;

/// <summary>
/// The change-feed contract over HTTP: Create events for a STOW in commit order, offset/limit paging, the latest
/// event, Delete events once a study is erased, nothing for a refused store, each caller sees what its establishment
/// scope allows, anonymous callers get 401.
/// </summary>
public sealed class ChangeFeedApiTests : IAsyncLifetime
{
    private const string OtherEstablishment = "750000002";
    private readonly ApiHost _host = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _host.CreateClient().Dispose(); // starts the silo
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Feed_lists_stores_and_deletions_in_order_pages_and_filters_by_caller_scope()
    {
        using var technician = _host.CreateClient();
        using var admin = _host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.PlatformAdmin));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.GetAsync("/api/changefeed/latest", Ct)).StatusCode);

        var study = StudyDescription.Create();
        var series = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 3).Select(n => SyntheticInstance.Native(study, series, 1, n)).ToArray();
        foreach (var instance in instances)
        {
            // One instance per request: the feed order is then the store order.
            Assert.Equal(HttpStatusCode.OK, (await technician.StowAsync([instance.Bytes])).StatusCode);
        }

        var events = await ReadAsync(admin, "/api/changefeed");
        Assert.Equal(instances.Select(i => i.SopUid), events.Select(e => e.GetProperty("sopInstanceUid").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("Create", e.GetProperty("action").GetString());
            Assert.Equal("Current", e.GetProperty("state").GetString());
            Assert.Equal(study.StudyUid, e.GetProperty("studyInstanceUid").GetString());
            Assert.Equal(series, e.GetProperty("seriesInstanceUid").GetString());
            Assert.Equal(ApiHost.DefaultEstablishmentId, e.GetProperty("establishmentId").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("patientId").GetString()));
            Assert.True(e.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        });
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(sequences.Order(), sequences);

        // Paging: offset = last sequence read; latest = the newest.
        var page = await ReadAsync(admin, "/api/changefeed?limit=2");
        Assert.Equal(sequences[..2], page.Select(e => e.GetProperty("sequence").GetInt64()));
        var next = await ReadAsync(admin, $"/api/changefeed?offset={sequences[1]}&limit=2");
        Assert.Equal(sequences[2..], next.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(sequences[^1], (await ReadOneAsync(admin, "/api/changefeed/latest")).GetProperty("sequence").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/changefeed?limit=1001", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/changefeed?limit=0", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/changefeed?offset=-1", Ct)).StatusCode);

        // A refused store (not DICOM) appends nothing.
        var refused = await technician.StowAsync([Encoding.ASCII.GetBytes("this is not DICOM at all, just text padding it out")]);
        Assert.False(refused.IsSuccessStatusCode);
        Assert.Equal(sequences[^1], (await ReadOneAsync(admin, "/api/changefeed/latest")).GetProperty("sequence").GetInt64());

        // Scope: the establishment's device and administrator and a DPO see the events; another establishment's
        // administrator sees none of them; a radiologist is refused; an anonymous caller is not authenticated.
        foreach (var reader in new[]
        {
            ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Device),
            ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.EstablishmentAdmin),
            ApiHost.Professional(OtherEstablishment, MircRoles.DataProtectionOfficer),
        })
        {
            using var client = _host.CreateClient(reader);
            Assert.Equal(sequences, (await ReadAsync(client, "/api/changefeed")).Select(e => e.GetProperty("sequence").GetInt64()));
        }

        using (var other = _host.CreateClient(ApiHost.Professional(OtherEstablishment, MircRoles.EstablishmentAdmin | MircRoles.Device)))
        {
            Assert.Empty(await ReadAsync(other, "/api/changefeed"));
            Assert.Equal(HttpStatusCode.NoContent, (await other.GetAsync("/api/changefeed/latest", Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync("/api/changefeed", Ct)).StatusCode);
        using (var anonymous = _host.CreateAnonymousClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/changefeed", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/changefeed/latest", Ct)).StatusCode);
        }

        // Erasure: a Delete per instance after the creates, which now read as deleted.
        await _host.Grains.GetGrain<IStudyGrain>(study.StudyUid).DeleteAsync("retention period over", "retention");
        var after = await ReadAsync(admin, "/api/changefeed");
        Assert.Equal(6, after.Count);
        Assert.All(after.Skip(3), e => Assert.Equal("Delete", e.GetProperty("action").GetString()));
        Assert.Equal(instances.Select(i => i.SopUid).Order(), after.Skip(3).Select(e => e.GetProperty("sopInstanceUid").GetString()).Order());
        Assert.All(after, e => Assert.Equal("Deleted", e.GetProperty("state").GetString()));
    }

    private static async Task<IReadOnlyList<JsonElement>> ReadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static async Task<JsonElement> ReadOneAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.Clone();
    }
}
