using System.Net;
using System.Net.Http.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Management;

/// <summary>
/// The TLS client certificate an AE title is bound to: validated (thumbprint or subject), stored with the AE title, and
/// set only by those who may administer the establishment.
/// </summary>
[Collection(StoredStudyCollection.Name)]
public sealed class AeTitleCertificateTests(StoredStudyFixture fixture) : IDisposable
{
    private const string Sha256 = "3A:5F:0C:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";
    private readonly HttpClient _admin = fixture.Host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.PlatformAdmin));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task A_client_certificate_binding_is_validated_and_stored_with_the_ae_title()
    {
        var id = "E" + Random.Shared.Next(100_000_000, 999_999_999);
        var title = "CRT" + Random.Shared.Next(100000, 999999);
        using (var created = await _admin.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "Certificates" }, Ct))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Neither a thumbprint (39 hex digits) nor a distinguished name: refused, nothing stored.
        using var invalid = await _admin.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "127.0.0.1", port = 104, clientCertificate = "3A5F0C11223344556677889900AABBCCDDEEFF0" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("ClientCertificate", await invalid.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var byThumbprint = await _admin.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "127.0.0.1", port = 104, clientCertificate = Sha256 }, Ct);
        Assert.Equal(HttpStatusCode.OK, byThumbprint.StatusCode);
        var entry = (await byThumbprint.ReadJsonAsync()).GetProperty("aeTitles").EnumerateArray().Single(a => a.GetProperty("aeTitle").GetString() == title);
        Assert.Equal(Sha256, entry.GetProperty("clientCertificate").GetString());

        using var bySubject = await _admin.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "127.0.0.1", port = 104, clientCertificate = "CN=CT-1, O=Hôpital" }, Ct);
        Assert.Equal(HttpStatusCode.OK, bySubject.StatusCode);

        // A radiologist of the establishment may not change a device's binding.
        using var radiologist = fixture.Host.CreateClient(ApiHost.Professional(id, MircRoles.Radiologist));
        using var refused = await radiologist.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}",
            new { host = "127.0.0.1", port = 104 }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
