using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Professionals;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Management;

/// <summary>
/// An establishment administrator of A against establishment B, endpoint by endpoint: every attempt answers 403 with a
/// problem naming what is needed, leaves B untouched, and is audited; within A the same acts succeed and are audited
/// with their before and after values.
/// </summary>
[Collection(StoredStudyCollection.Name)]
public sealed class EstablishmentIsolationTests(StoredStudyFixture fixture) : IAsyncLifetime
{
    private readonly string _a = "A" + Random.Shared.Next(100_000_000, 999_999_999);
    private readonly string _b = "B" + Random.Shared.Next(100_000_000, 999_999_999);
    private readonly string _radiologistOfB = NewRpps();

    // AE titles are unique across the region: one per test.
    private readonly string _pacsOfB = "BP" + Random.Shared.Next(100_000, 999_999);

    private readonly string _ctOfA = "AC" + Random.Shared.Next(100_000, 999_999);
    private HttpClient _platform = null!;
    private HttpClient _adminA = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiHost Host => fixture.Host;

    public async ValueTask InitializeAsync()
    {
        _platform = Host.CreateClient(ApiHost.Professional("platform", MircRoles.PlatformAdmin));
        _adminA = Host.CreateClient(AdminOfA);
        foreach (var id in new[] { _a, _b })
        {
            using var created = await _platform.PostAsJsonAsync("/api/establishments", new { establishmentId = id, name = "Hospital " + id }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var ae = await _platform.PutAsJsonAsync($"/api/establishments/{_b}/ae-titles/{_pacsOfB}", new { host = "127.0.0.1", port = 104, permissions = new[] { "Store" } }, Ct);
        Assert.Equal(HttpStatusCode.OK, ae.StatusCode);
        using var pro = await _platform.PutAsJsonAsync($"/api/professionals/{_radiologistOfB}", new { name = "Dr B", establishmentId = _b, roles = new[] { "Radiologist" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, pro.StatusCode);
    }

    public ValueTask DisposeAsync()
    {
        _platform.Dispose();
        _adminA.Dispose();
        return ValueTask.CompletedTask;
    }

    private ProfessionalPrincipal AdminOfA => field ??= ApiHost.Professional(_a, MircRoles.EstablishmentAdmin, NewRpps());

    [Fact]
    public async Task Admin_of_A_cannot_change_anything_of_B()
    {
        await AssertRefusedAsync(await _adminA.PutAsJsonAsync($"/api/establishments/{_b}", new { name = "Renamed by A" }, Ct), _b, "EstablishmentAdmin");
        await AssertRefusedAsync(await _adminA.PutAsJsonAsync($"/api/establishments/{_b}/ae-titles/A_INTRUDER",
            new { host = "127.0.0.1", port = 11112, permissions = new[] { "Query", "Retrieve" } }, Ct), _b, "EstablishmentAdmin");
        await AssertRefusedAsync(await _adminA.DeleteAsync($"/api/establishments/{_b}/ae-titles/{_pacsOfB}", Ct), _b, "EstablishmentAdmin");
        // Moving B's radiologist to A, creating an administrator in B.
        await AssertRefusedAsync(await _adminA.PutAsJsonAsync($"/api/professionals/{_radiologistOfB}",
            new { name = "Dr B", establishmentId = _a, roles = new[] { "Radiologist" } }, Ct), _b, "PlatformAdmin");
        await AssertRefusedAsync(await _adminA.PutAsJsonAsync($"/api/professionals/{NewRpps()}",
            new { name = "Planted admin", establishmentId = _b, roles = new[] { "EstablishmentAdmin" } }, Ct), _b, "EstablishmentAdmin");
        await AssertRefusedAsync(await _adminA.PostAsJsonAsync("/api/patients/ANY/links",
            new { establishmentId = _b, localPatientId = "L1", reason = "merge" }, Ct), _b, "EstablishmentAdmin");

        var b = await Host.Grains.GetGrain<IEstablishmentGrain>(_b).GetAsync();
        Assert.NotNull(b);
        Assert.Equal("Hospital " + _b, b.Name);
        Assert.Equal([_pacsOfB], b.AeTitles.Select(t => t.AeTitle));
        Assert.Equal(_b, (await Host.Grains.GetGrain<IProfessionalGrain>(_radiologistOfB).GetAsync())?.EstablishmentId);

        var refusals = await AdministrationRecordsAsync(AdminOfA.Subject);
        Assert.Equal(6, refusals.Count(r => r.Event.Outcome == AuditOutcome.Denied));
    }

    [Fact]
    public async Task Only_a_platform_admin_creates_establishments_and_grants_platform_roles()
    {
        await AssertRefusedAsync(await _adminA.PostAsJsonAsync("/api/establishments", new { establishmentId = "C" + _a, name = "New" }, Ct), null, "PlatformAdmin");
        foreach (var role in new[] { "PlatformAdmin", "DataProtectionOfficer" })
        {
            await AssertRefusedAsync(await _adminA.PutAsJsonAsync($"/api/professionals/{NewRpps()}",
                new { name = "Escalated", establishmentId = _a, roles = new[] { role } }, Ct), null, "PlatformAdmin");
        }

        // A radiologist (no administrative role) grants nothing, even in their own establishment.
        using var radiologist = Host.CreateClient(ApiHost.Professional(_a, MircRoles.Radiologist, NewRpps()));
        await AssertRefusedAsync(await radiologist.PutAsJsonAsync($"/api/professionals/{NewRpps()}",
            new { name = "Colleague", establishmentId = _a, roles = new[] { "Radiologist" } }, Ct), _a, "EstablishmentAdmin");

        using var dpo = await _platform.PutAsJsonAsync($"/api/professionals/{NewRpps()}", new { name = "DPO", establishmentId = _a, roles = new[] { "DataProtectionOfficer" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, dpo.StatusCode);
    }

    [Fact]
    public async Task Other_establishments_show_only_their_public_profile()
    {
        var other = await (await _adminA.GetAsync($"/api/establishments/{_b}", Ct)).ReadJsonAsync();
        Assert.Equal("Hospital " + _b, other.GetProperty("name").GetString());
        Assert.False(other.TryGetProperty("aeTitles", out _));
        Assert.False(other.TryGetProperty("members", out _));

        var full = await (await _platform.GetAsync($"/api/establishments/{_b}", Ct)).ReadJsonAsync();
        Assert.Equal(_pacsOfB, full.GetProperty("aeTitles")[0].GetProperty("aeTitle").GetString());

        var professional = await (await _adminA.GetAsync($"/api/professionals/{_radiologistOfB}", Ct)).ReadJsonAsync();
        Assert.Equal(_b, professional.GetProperty("establishmentId").GetString());
        Assert.False(professional.TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task Admin_of_A_administers_A_and_each_change_is_audited_with_before_and_after()
    {
        using (var renamed = await _adminA.PutAsJsonAsync($"/api/establishments/{_a}", new { name = "Hospital A renamed" }, Ct))
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        using (var ae = await _adminA.PutAsJsonAsync($"/api/establishments/{_a}/ae-titles/{_ctOfA}", new { host = "127.0.0.1", port = 104, permissions = new[] { "Store" } }, Ct))
            Assert.Equal(HttpStatusCode.OK, ae.StatusCode);
        using (var removed = await _adminA.DeleteAsync($"/api/establishments/{_a}/ae-titles/{_ctOfA}", Ct))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var rpps = NewRpps();
        using (var hired = await _adminA.PutAsJsonAsync($"/api/professionals/{rpps}", new { name = "Dr A", establishmentId = _a, roles = new[] { "Radiologist", "EstablishmentAdmin" } }, Ct))
            Assert.Equal(HttpStatusCode.Created, hired.StatusCode);
        var own = await (await _adminA.GetAsync($"/api/establishments/{_a}", Ct)).ReadJsonAsync();
        Assert.True(own.TryGetProperty("members", out var members) && members.GetArrayLength() == 1);

        var changes = (await AdministrationRecordsAsync(AdminOfA.Subject)).Where(r => r.Event.Outcome == AuditOutcome.Success).Select(r => r.Event.Detail!).ToList();
        Assert.Contains(changes, d => d.Contains($"establishment {_a} settings", StringComparison.Ordinal)
            && d.Contains($"before {{\"name\":\"Hospital {_a}\"", StringComparison.Ordinal) && d.Contains("after {\"name\":\"Hospital A renamed\"", StringComparison.Ordinal));
        Assert.Contains(changes, d => d.Contains($"AE title {_ctOfA}: before none after {{", StringComparison.Ordinal));
        Assert.Contains(changes, d => d.Contains($"AE title {_ctOfA} removed: before {{", StringComparison.Ordinal) && d.EndsWith("after none", StringComparison.Ordinal));
        Assert.Contains(changes, d => d.Contains($"professional {rpps}: before none after {{", StringComparison.Ordinal) && d.Contains("EstablishmentAdmin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seeding_and_key_rotation_are_audited_with_before_and_after()
    {
        var seeded = (await AdministrationRecordsAsync("system:seed")).Select(r => r.Event.Detail!).ToList();
        Assert.Contains(seeded, d => d.StartsWith($"seed: establishment {ApiHost.DefaultEstablishmentId} created: before none after {{\"name\":", StringComparison.Ordinal));
        Assert.Contains(seeded, d => d.StartsWith("seed: professional 10000000001: before none after {", StringComparison.Ordinal));

        var platform = ApiHost.Professional("platform", MircRoles.PlatformAdmin, NewRpps());
        using var client = Host.CreateClient(platform);
        using var rotated = await client.PostAsync("/api/auth/keys/rotate", null, Ct);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var kid = (await rotated.ReadJsonAsync()).GetProperty("kid").GetString();
        var rotation = Assert.Single(await AdministrationRecordsAsync(platform.Subject));
        Assert.Matches($"^signing key rotated: before active kid \\S+ after active kid {kid}$", rotation.Event.Detail);
    }

    private async Task<IReadOnlyList<AuditRecord>> AdministrationRecordsAsync(string actor)
    {
        var audit = Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        return await audit.QueryAsync(new AuditFilter { ActorId = actor, Actions = [AuditAction.Administration] }, Ct);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string? establishmentId, string neededRole)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            Assert.Contains(neededRole, problem.RootElement.GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
            if (establishmentId is not null) Assert.Equal(establishmentId, problem.RootElement.GetProperty("establishmentId").GetString());
            Assert.Contains(neededRole, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static string NewRpps() => "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
}
