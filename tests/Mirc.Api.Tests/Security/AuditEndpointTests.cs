using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.Authentication;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>Audit over HTTP: DPO and administrators read it, clinicians don't; establishment admins see their establishment.</summary>
public sealed class AuditEndpointTests(AuthTestHost host) : IClassFixture<AuthTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GetAsync(string token, string path)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Dpo_verifies_exports_and_reads_the_patient_report()
    {
        var audit = host.Services.GetRequiredService<IAuditTrail>();
        var reader = new ProfessionalPrincipal { Subject = "rad", Rpps = "RPPS-77", EstablishmentId = "EST-B", Roles = MircRoles.Radiologist };
        await audit.RecordAsync(reader.ToAuditEvent(AuditAction.Retrieve, AuditOutcome.Success, DateTimeOffset.UtcNow, "10.0.0.9", "PAT-HTTP", ["1.2.3"]), Ct);
        await audit.FlushAsync(Ct);

        var dpo = await TokenClient.NewTokenAsync(host, MircRoles.DataProtectionOfficer, "platform", Ct);
        using (var verify = await GetAsync(dpo, "/api/security/audit/verify"))
        {
            Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
            using var json = JsonDocument.Parse(await verify.Content.ReadAsStringAsync(Ct));
            Assert.True(json.RootElement.GetProperty("isIntact").GetBoolean());
        }

        using (var export = await GetAsync(dpo, "/api/security/audit/export?patientId=PAT-HTTP"))
        {
            Assert.Equal("application/x-ndjson", export.Content.Headers.ContentType?.MediaType);
            var lines = (await export.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.Contains("\"RPPS-77\"", line, StringComparison.Ordinal);
        }

        using (var report = await GetAsync(dpo, "/api/security/audit/patients/PAT-HTTP/accesses"))
        {
            using var json = JsonDocument.Parse(await report.Content.ReadAsStringAsync(Ct));
            var entry = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("RPPS-77", entry.GetProperty("who").GetString());
        }

        // Reading the trail is itself audited.
        await audit.FlushAsync(Ct);
        var accesses = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.AuditAccess] }, Ct);
        Assert.True(accesses.Count >= 3);
    }

    [Fact]
    public async Task Clinicians_cannot_read_the_trail_and_establishment_admins_see_their_own()
    {
        var radiologist = await TokenClient.NewTokenAsync(host, MircRoles.Radiologist, "EST-B", Ct);
        using (var refused = await GetAsync(radiologist, "/api/security/audit/records"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var audit = host.Services.GetRequiredService<IAuditTrail>();
        foreach (var establishment in new[] { "EST-A", "EST-B" })
        {
            var actor = new ProfessionalPrincipal { Subject = "tech-" + establishment, EstablishmentId = establishment, Roles = MircRoles.Technician };
            await audit.RecordAsync(actor.ToAuditEvent(AuditAction.Store, AuditOutcome.Success, DateTimeOffset.UtcNow, patientId: "PAT-ADMIN"), Ct);
        }

        await audit.FlushAsync(Ct);
        var admin = await TokenClient.NewTokenAsync(host, MircRoles.EstablishmentAdmin, "EST-A", Ct);
        using var response = await GetAsync(admin, "/api/security/audit/records?patientId=PAT-ADMIN");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var records = json.RootElement.EnumerateArray().ToList();
        var record = Assert.Single(records);
        Assert.Equal("EST-A", record.GetProperty("event").GetProperty("actorEstablishmentId").GetString());

        using var verify = await GetAsync(admin, "/api/security/audit/verify");
        Assert.Equal(HttpStatusCode.Forbidden, verify.StatusCode);
    }
}
