using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Management;

[Collection(StoredStudyCollection.Name)]
public sealed class ManagementApiTests(StoredStudyFixture fixture) : IDisposable
{
    // Administration needs an administrator role; clinical staff (the fixture's default client) get 403.
    private readonly HttpClient _admin = fixture.Host.CreateClient(
        ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.PlatformAdmin | MircRoles.EstablishmentAdmin));

    private HttpClient Http => _admin;

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task Clinical_staff_cannot_administer_establishments_or_search_the_patient_registry()
    {
        var create = await fixture.Http.PostAsJsonAsync("/api/establishments", new { establishmentId = NewId(), name = "Not allowed" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var search = await fixture.Http.GetAsync("/api/patients?name=*", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, search.StatusCode);
    }
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewId() => "E" + Random.Shared.Next(100_000_000, 999_999_999);

    private static string NewRpps() => "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);

    private static async Task<JsonElement> ProblemErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.ReadJsonAsync()).GetProperty("errors");
    }

    [Fact]
    public async Task Establishment_validation_reports_each_field()
    {
        var response = await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = "bad id!", name = "", retentionYears = 500 }, Ct);
        var errors = await ProblemErrorsAsync(response);
        Assert.True(errors.TryGetProperty("EstablishmentId", out _));
        Assert.True(errors.TryGetProperty("Name", out _));
        Assert.True(errors.TryGetProperty("RetentionYears", out _));
    }

    [Fact]
    public async Task Establishment_is_created_read_updated_and_not_created_twice()
    {
        var id = NewId();
        var created = await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "CHU Test", sharing = "Regional" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/establishments/{id}", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "Again" }, Ct)).StatusCode);

        var read = await (await Http.GetAsync($"/api/establishments/{id}", Ct)).ReadJsonAsync();
        Assert.Equal("CHU Test", read.GetProperty("name").GetString());
        Assert.Equal("Regional", read.GetProperty("sharing").GetString());
        Assert.Equal(20, read.GetProperty("retentionYears").GetInt32());

        var updated = await Http.PutAsJsonAsync($"/api/establishments/{id}", new { name = "CHU Renamed", retentionYears = 30 }, Ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var reread = await (await Http.GetAsync($"/api/establishments/{id}", Ct)).ReadJsonAsync();
        Assert.Equal("CHU Renamed", reread.GetProperty("name").GetString());
        Assert.Equal(30, reread.GetProperty("retentionYears").GetInt32());
        Assert.Equal("Regional", reread.GetProperty("sharing").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/establishments/{NewId()}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Establishments_are_listed_after_creation_and_rename_with_their_public_profile_only()
    {
        var id = NewId();
        var title = "LS" + Random.Shared.Next(100000, 999999);
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "Clinique Listée", sharing = "Private" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}", new { host = "127.0.0.1", port = 104 }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Http.PutAsJsonAsync($"/api/professionals/{NewRpps()}",
            new { name = "Dr Listed", establishmentId = id, roles = new[] { "Radiologist" } }, Ct)).StatusCode);

        var listed = await ListedAsync(Http, id);
        Assert.Equal("Clinique Listée", listed.GetProperty("name").GetString());
        Assert.Equal("Private", listed.GetProperty("sharing").GetString());
        // Who it is and how it shares: never its AE titles, members or retention.
        Assert.Equal(["establishmentId", "name", "sharing"], listed.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsJsonAsync($"/api/establishments/{id}", new { name = "Clinique Renommée", sharing = "Regional" }, Ct)).StatusCode);
        // Clinical staff read the same public list.
        var renamed = await ListedAsync(fixture.Http, id);
        Assert.Equal("Clinique Renommée", renamed.GetProperty("name").GetString());
        Assert.Equal("Regional", renamed.GetProperty("sharing").GetString());

        using var anonymous = fixture.Host.CreateAnonymousClient();
        using var refused = await anonymous.GetAsync("/api/establishments", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static async Task<JsonElement> ListedAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync("/api/establishments", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await response.ReadJsonAsync();
        Assert.DoesNotContain("aeTitles", list.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("members", list.GetRawText(), StringComparison.OrdinalIgnoreCase);
        return list.EnumerateArray().Single(e => e.GetProperty("establishmentId").GetString() == id);
    }

    [Fact]
    public async Task Ae_titles_are_added_validated_unique_and_removed()
    {
        var id = NewId();
        var other = NewId();
        await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "A" }, Ct);
        await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = other, name = "B" }, Ct);
        var title = "AE" + Random.Shared.Next(100000, 999999);

        var invalid = await Http.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}", new { host = "", port = 70000 }, Ct);
        var errors = await ProblemErrorsAsync(invalid);
        Assert.True(errors.TryGetProperty("Host", out _));
        Assert.True(errors.TryGetProperty("Port", out _));

        var set = await Http.PutAsJsonAsync($"/api/establishments/{id}/ae-titles/{title}", new { host = "127.0.0.1", port = 104, permissions = new[] { "Store", "Query" } }, Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var entry = (await set.ReadJsonAsync()).GetProperty("aeTitles").EnumerateArray().Single(a => a.GetProperty("aeTitle").GetString() == title);
        Assert.Equal(104, entry.GetProperty("port").GetInt32());

        var taken = await Http.PutAsJsonAsync($"/api/establishments/{other}/ae-titles/{title}", new { host = "127.0.0.1", port = 104 }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/api/establishments/{id}/ae-titles/{title}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.DeleteAsync($"/api/establishments/{id}/ae-titles/{title}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Professionals_are_validated_saved_and_become_members()
    {
        var establishment = NewId();
        await Http.PostAsJsonAsync("/api/establishments", new { establishmentId = establishment, name = "Clinique" }, Ct);
        var errors = await ProblemErrorsAsync(await Http.PutAsJsonAsync("/api/professionals/123", new { name = "", roles = new[] { "Wizard" } }, Ct));
        Assert.True(errors.TryGetProperty("rpps", out _));
        Assert.True(errors.TryGetProperty("Name", out _));
        Assert.True(errors.TryGetProperty("Roles", out _));

        var rpps = NewRpps();
        var saved = await Http.PutAsJsonAsync($"/api/professionals/{rpps}", new { name = "Dr Martin", establishmentId = establishment, roles = new[] { "radiologist" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var read = await (await Http.GetAsync($"/api/professionals/{rpps}", Ct)).ReadJsonAsync();
        Assert.Equal("Dr Martin", read.GetProperty("name").GetString());
        Assert.Equal("Radiologist", read.GetProperty("roles")[0].GetString());
        var members = (await (await Http.GetAsync($"/api/establishments/{establishment}", Ct)).ReadJsonAsync()).GetProperty("members");
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("professionalId").GetString() == rpps);

        var unknownEstablishment = await Http.PutAsJsonAsync($"/api/professionals/{rpps}", new { name = "Dr Martin", establishmentId = NewId() }, Ct);
        Assert.True((await ProblemErrorsAsync(unknownEstablishment)).TryGetProperty("EstablishmentId", out _));
    }

    [Fact]
    public async Task Patients_are_searched_and_identities_linked_and_unlinked_manually()
    {
        var found = await Http.GetAsync($"/api/patients?patientId={fixture.Study.PatientId}", Ct);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var patient = Assert.Single((await found.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(fixture.Study.PatientName, patient.GetProperty("name").GetString());
        var regionalId = patient.GetProperty("regionalPatientId").GetString()!;

        var record = await (await Http.GetAsync($"/api/patients/{regionalId}", Ct)).ReadJsonAsync();
        var local = Assert.Single(record.GetProperty("localIds").EnumerateArray());
        Assert.Equal(fixture.Study.PatientId, local.GetProperty("patientId").GetString());

        var invalid = await Http.PostAsJsonAsync($"/api/patients/{regionalId}/links", new { establishmentId = "X1", localPatientId = "P9" }, Ct);
        Assert.True((await ProblemErrorsAsync(invalid)).TryGetProperty("Reason", out _));

        var otherPid = "IPP-" + Random.Shared.Next(100000, 999999);
        var linked = await Http.PostAsJsonAsync($"/api/patients/{regionalId}/links", new { establishmentId = "X1", localPatientId = otherPid, reason = "same person, checked ID card" }, Ct);
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var afterLink = await (await Http.GetAsync($"/api/patients/{regionalId}", Ct)).ReadJsonAsync();
        Assert.Contains(afterLink.GetProperty("localIds").EnumerateArray(), l => l.GetProperty("patientId").GetString() == otherPid);

        var unlink = new { establishmentId = "X1", localPatientId = otherPid, reason = "linked by mistake" };
        var unlinked = await Http.PostAsJsonAsync($"/api/patients/{regionalId}/unlink", unlink, Ct);
        Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        Assert.NotEqual(regionalId, (await unlinked.ReadJsonAsync()).GetProperty("patientId").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsJsonAsync($"/api/patients/{regionalId}/unlink", unlink, Ct)).StatusCode);
        var history = (await (await Http.GetAsync($"/api/patients/{regionalId}", Ct)).ReadJsonAsync()).GetProperty("history");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("reason").GetString() == "linked by mistake");

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/patients/no-such-patient", Ct)).StatusCode);
        Assert.True((await ProblemErrorsAsync(await Http.GetAsync("/api/patients?birthDate=19701301", Ct))).TryGetProperty("birthDate", out _));
    }
}
