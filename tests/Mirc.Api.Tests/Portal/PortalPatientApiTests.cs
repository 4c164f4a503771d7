using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Portal;

/// <summary>
/// The clinician's patient API behind the portal: another establishment's study is listed hidden with the reason
/// (not silently left out), opens once a care relationship is declared, and the registry is not browsable.
/// </summary>
[Collection(StoredStudyCollection.Name)]
public sealed class PortalPatientApiTests(StoredStudyFixture fixture) : IAsyncLifetime
{
    private const string Producer = ApiHost.DefaultEstablishmentId;
    private readonly string _other = "P" + Random.Shared.Next(100_000_000, 999_999_999);
    private StudyDescription _study = null!;
    private string _patient = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiHost Host => fixture.Host;

    public async ValueTask InitializeAsync()
    {
        await Host.Grains.GetGrain<IEstablishmentGrain>(_other).SaveAsync(new EstablishmentProfile { EstablishmentId = _other, Name = "Clinique " + _other });
        _study = StudyDescription.Create();
        using var producer = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000400"));
        using var stow = await producer.StowAsync([SyntheticInstance.Native(_study, SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        _patient = (await Host.Grains.GetGrain<IStudyGrain>(_study.StudyUid).GetSummaryAsync()).PatientId!;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Another_establishments_study_is_listed_hidden_with_the_reason_until_a_care_relationship_is_declared()
    {
        var radiologist = ApiHost.Professional(_other, MircRoles.Radiologist, "10000000401");
        using var client = Host.CreateClient(radiologist);

        var hidden = await StudyAsync(client);
        Assert.False(hidden.GetProperty("visible").GetBoolean());
        Assert.Equal("NoCareRelationship", hidden.GetProperty("access").GetString());
        Assert.Equal(JsonValueKind.Null, hidden.GetProperty("description").ValueKind);
        Assert.Equal(Producer, hidden.GetProperty("establishmentId").GetString());

        using (var declared = await client.PostAsJsonAsync($"/api/patients/{_patient}/care-relationship", new { reason = "follow-up" }, Ct))
            Assert.Equal(HttpStatusCode.OK, declared.StatusCode);

        var visible = await StudyAsync(client);
        Assert.True(visible.GetProperty("visible").GetBoolean());
        Assert.Equal("ConsentAndCareRelationship", visible.GetProperty("access").GetString());

        // Naming a patient's studies, hidden ones included, is an access the audit trail keeps.
        var audit = Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        var records = await audit.QueryAsync(new AuditFilter { PatientId = _patient }, Ct);
        Assert.Contains(records, r => r.Event.Action == AuditAction.Query && r.Event.ActorId == radiologist.Subject
            && r.Event.Detail == "portal patient page: 1 studies, 1 hidden");
        Assert.Contains(records, r => r.Event.Action == AuditAction.Query && r.Event.ActorId == radiologist.Subject
            && r.Event.Detail == "portal patient page: 1 studies, 0 hidden" && r.Event.StudyUids.Contains(_study.StudyUid));
    }

    [Fact]
    public async Task The_search_needs_a_precise_criterion_and_finds_the_patient_by_local_id_or_name_with_birth_date()
    {
        using var client = Host.CreateClient(ApiHost.Professional(_other, MircRoles.Physician, "10000000402"));
        using (var browse = await client.GetAsync("/api/portal/patients?name=dupont", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, browse.StatusCode);
            Assert.Contains("birth date", await browse.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (var wildcard = await client.GetAsync("/api/portal/patients?name=*&birthDate=19700101", Ct))
            Assert.Equal(HttpStatusCode.BadRequest, wildcard.StatusCode);

        using (var byLocalId = await client.GetAsync($"/api/portal/patients?localId={_study.PatientId}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, byLocalId.StatusCode);
            var found = Assert.Single((await byLocalId.ReadJsonAsync()).EnumerateArray());
            Assert.Equal(_patient, found.GetProperty("patientId").GetString());
        }
    }

    [Fact]
    public async Task Roles_without_clinical_access_are_refused_with_the_roles_needed()
    {
        foreach (var roles in new[] { MircRoles.Technician, MircRoles.PlatformAdmin, MircRoles.EstablishmentAdmin })
        {
            using var client = Host.CreateClient(ApiHost.Professional(Producer, roles, "10000000403"));
            using var response = await client.GetAsync($"/api/portal/patients/{_patient}", Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("Radiologist", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> StudyAsync(HttpClient client)
    {
        using var response = await client.GetAsync($"/api/portal/patients/{_patient}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadJsonAsync();
        Assert.Equal(_patient, page.GetProperty("patient").GetProperty("patientId").GetString());
        return Assert.Single(page.GetProperty("studies").EnumerateArray());
    }
}
