using System.Net;
using System.Net.Http.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Management;

/// <summary>The networks a device may associate from: validated (CIDR or address) and stored with its AE title.</summary>
[Collection(StoredStudyCollection.Name)]
public sealed class AeTitleNetworksTests(StoredStudyFixture fixture) : IDisposable
{
    private readonly HttpClient _admin = fixture.Host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.PlatformAdmin));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task Networks_are_validated_and_stored_with_the_ae_title()
    {
        var id = "E" + Random.Shared.Next(100_000_000, 999_999_999);
        var title = "NET" + Random.Shared.Next(100000, 999999);
        await _admin.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "Networks" }, Ct);

        // Host bits set (10.1.2.5/24) and garbage are refused: a typo must not silently open or close access.
        using var invalid = await _admin.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "10.1.2.5", port = 104, networks = new[] { "10.1.2.5/24", "not-a-network" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("Networks", await invalid.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var set = await _admin.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "10.1.2.5", port = 104, networks = new[] { "10.1.2.0/24", "2001:db8::7" } }, Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var entry = (await set.ReadJsonAsync()).GetProperty("aeTitles").EnumerateArray().Single(a => a.GetProperty("aeTitle").GetString() == title);
        Assert.Equal(["10.1.2.0/24", "2001:db8::7"], entry.GetProperty("networks").EnumerateArray().Select(n => n.GetString()!));
    }
}
