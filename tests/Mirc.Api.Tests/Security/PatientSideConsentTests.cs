using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>
/// Consent belongs to the patient's side; an opposition stops pushes to other establishments; patients are named by
/// regional id, INS or local id; an unknown patient answers 404 and leaves no trace.
/// </summary>
[Collection(StoredStudyCollection.Name)]
public sealed class PatientSideConsentTests(StoredStudyFixture fixture) : IAsyncLifetime
{
    private const string Producer = ApiHost.DefaultEstablishmentId;
    private readonly string _other = "O" + Random.Shared.Next(100_000_000, 999_999_999);
    private readonly string _suffix = Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
    private StudyDescription _study = null!;
    private string _patient = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiHost Host => fixture.Host;

    private string OtherDestination => "OD" + _suffix;

    private string OwnDestination => "PD" + _suffix;

    public async ValueTask InitializeAsync()
    {
        // Another establishment with a push destination; the producer gets one of its own.
        var other = Host.Grains.GetGrain<IEstablishmentGrain>(_other);
        await other.SaveAsync(new EstablishmentProfile { EstablishmentId = _other, Name = "Clinique " + _other });
        await other.SetAeTitleAsync(new AeTitleEntry(OtherDestination, "127.0.0.1", 104, AePermissions.MoveDestination));
        await Host.Grains.GetGrain<IEstablishmentGrain>(Producer).SetAeTitleAsync(new AeTitleEntry(OwnDestination, "127.0.0.1", 104, AePermissions.MoveDestination));

        _study = StudyDescription.Create();
        using var producer = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000300"));
        using var stow = await producer.StowAsync([SyntheticInstance.Native(_study, SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        _patient = (await Host.Grains.GetGrain<IStudyGrain>(_study.StudyUid).GetSummaryAsync()).PatientId!;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_professional_blocked_by_the_opposition_can_never_lift_it_nor_read_it()
    {
        using var dpo = Host.CreateClient(ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000301"));
        await PostConsentAsync(dpo, _patient, "Oppose", HttpStatusCode.OK);

        var blocked = Host.CreateClient(ApiHost.Professional(_other, MircRoles.Radiologist | MircRoles.EstablishmentAdmin, "10000000302"));
        foreach (var kind in new[] { "Reset", "Grant", "AllowEstablishment" })
            await PostConsentAsync(blocked, _patient, kind, HttpStatusCode.Forbidden, _other);
        await AssertForbiddenAsync(await blocked.GetAsync($"/api/patients/{_patient}/consent", Ct));
        await AssertForbiddenAsync(await blocked.GetAsync($"/api/patients/{_patient}/consent/history", Ct));
        Assert.Equal(ConsentDecision.Opposed, (await Host.Grains.GetGrain<IConsentGrain>(_patient).GetAsync()).Decision);

        // Neither a technician of the producer nor a platform administrator records the patient's wishes.
        using var technician = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000303"));
        await PostConsentAsync(technician, _patient, "Reset", HttpStatusCode.Forbidden);
        using var platform = Host.CreateClient(ApiHost.Professional("platform", MircRoles.PlatformAdmin, "10000000304"));
        await PostConsentAsync(platform, _patient, "Reset", HttpStatusCode.Forbidden);

        // The patient's own establishment of care reads and records it; reads are recorded as reads.
        var physician = ApiHost.Professional(Producer, MircRoles.Physician, "10000000305");
        using var own = Host.CreateClient(physician);
        using (var history = await own.GetAsync($"/api/patients/{_patient}/consent/history", Ct))
            Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        await PostConsentAsync(own, _patient, "Reset", HttpStatusCode.OK);
        Assert.Equal(ConsentDecision.NotRecorded, (await Host.Grains.GetGrain<IConsentGrain>(_patient).GetAsync()).Decision);

        var audit = Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        var records = await audit.QueryAsync(new AuditFilter { PatientId = _patient }, Ct);
        Assert.Contains(records, r => r.Event.Action == AuditAction.ConsentRead && r.Event.ActorId == physician.Subject);
        Assert.DoesNotContain(records, r => r.Event.Action == AuditAction.ConsentChange && r.Event.Detail!.Contains("read", StringComparison.Ordinal));
        Assert.Equal(3, records.Count(r => r.Event.Action == AuditAction.ConsentChange && r.Event.Outcome == AuditOutcome.Denied && r.Event.ActorEstablishmentId == _other));
    }

    [Fact]
    public async Task An_opposition_stops_pushes_to_other_establishments_but_not_to_the_patients_own()
    {
        using var producer = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000306"));
        using (var before = await ShareAsync(producer, OtherDestination))
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);

        using var dpo = Host.CreateClient(ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000307"));
        await PostConsentAsync(dpo, _patient, "Oppose", HttpStatusCode.OK);

        using (var refused = await ShareAsync(producer, OtherDestination))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
            Assert.Equal(_other, problem.RootElement.GetProperty("establishmentId").GetString());
        }

        using (var own = await ShareAsync(producer, OwnDestination))
            Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
    }

    [Fact]
    public async Task Patients_are_named_by_regional_id_local_id_or_ins()
    {
        using var dpo = Host.CreateClient(ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000308"));
        await PostConsentAsync(dpo, $"local:{Producer}::{_study.PatientId}", "RefuseEmergencyAccess", HttpStatusCode.OK);
        Assert.True((await Host.Grains.GetGrain<IConsentGrain>(_patient).GetAsync()).EmergencyAccessRefused);

        // The INS index is the system of record for national identifiers.
        const string ins = "279035121518989";
        await Host.Grains.GetGrain<IInsIdentityGrain>(new NationalIdentity(ins, NationalIdentity.TestInsOid).Key).SetAsync(_patient);
        foreach (var reference in new[] { _patient, $"ins:{ins}", $"ins:{NationalIdentity.TestInsOid}:{ins}", $"local:{Producer}::{_study.PatientId}" })
        {
            using var read = await dpo.GetAsync($"/api/patients/{Uri.EscapeDataString(reference)}/consent", Ct);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"{reference}: {read.StatusCode}");
            Assert.Equal(_patient, (await read.ReadJsonAsync()).GetProperty("patientId").GetString());
        }
    }

    [Fact]
    public async Task The_regional_id_is_returned_in_QIDO_results_metadata_and_patient_records()
    {
        using var radiologist = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Radiologist, "10000000311"));
        using (var qido = await radiologist.GetAsync($"/dicomweb/studies?StudyInstanceUID={_study.StudyUid}", Ct))
        {
            var study = Assert.Single((await qido.ReadJsonAsync()).EnumerateArray());
            AssertRegionalItem(study);
        }

        using (var metadata = await radiologist.GetAsync($"/dicomweb/studies/{_study.StudyUid}/metadata", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
            AssertRegionalItem(Assert.Single((await metadata.ReadJsonAsync()).EnumerateArray()));
        }

        // Series level returns no patient attributes by default; with includefield=all the regional id comes along.
        using (var series = await radiologist.GetAsync($"/dicomweb/studies/{_study.StudyUid}/series?includefield=all", Ct))
            AssertRegionalItem(Assert.Single((await series.ReadJsonAsync()).EnumerateArray()));

        using var admin = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.EstablishmentAdmin, "10000000312"));
        using var record = await admin.GetAsync($"/api/patients/{Uri.EscapeDataString($"local:{Producer}::{_study.PatientId}")}", Ct);
        Assert.Equal(_patient, (await record.ReadJsonAsync()).GetProperty("patientId").GetString());
    }

    private void AssertRegionalItem(JsonElement dataset)
    {
        var item = Assert.Single(dataset.GetProperty("00101002").GetProperty("Value").EnumerateArray());
        Assert.Equal(_patient, item.GetProperty("00100020").GetProperty("Value")[0].GetString());
        Assert.Equal("MIRC", item.GetProperty("00100021").GetProperty("Value")[0].GetString());
        Assert.Equal("TEXT", item.GetProperty("00100022").GetProperty("Value")[0].GetString());
        Assert.Equal(_study.PatientId, dataset.GetProperty("00100020").GetProperty("Value")[0].GetString());
    }

    [Fact]
    public async Task A_phantom_patient_is_404_everywhere_and_nothing_is_recorded()
    {
        var phantom = "P" + _suffix;
        using var dpo = Host.CreateClient(ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000309"));
        var radiologist = ApiHost.Professional(Producer, MircRoles.Radiologist, "10000000310");
        using var http = Host.CreateClient(radiologist);
        foreach (var reference in new[] { phantom, $"ins:{_suffix}99999999999", $"local:{Producer}::{phantom}", $"local:{_other}::{_study.PatientId}" })
        {
            var path = $"/api/patients/{Uri.EscapeDataString(reference)}";
            await AssertNotFoundAsync(await dpo.PostAsJsonAsync(path + "/consent", new { kind = "Oppose", reason = "patient letter" }, Ct));
            await AssertNotFoundAsync(await dpo.GetAsync(path + "/consent", Ct));
            await AssertNotFoundAsync(await dpo.GetAsync(path + "/consent/history", Ct));
            await AssertNotFoundAsync(await dpo.GetAsync(path + "/accesses", Ct));
            await AssertNotFoundAsync(await http.PostAsJsonAsync(path + "/care-relationship", new { reason = "consultation" }, Ct));
            await AssertNotFoundAsync(await http.PostAsJsonAsync(path + "/break-the-glass", new { reason = "emergency" }, Ct));
            await AssertNotFoundAsync(await http.DeleteAsync(path + "/care-relationship", Ct));
        }

        Assert.Empty(await Host.Grains.GetGrain<IConsentGrain>(phantom).GetHistoryAsync());
        Assert.Null(await Host.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId).GetAsync(phantom));
        Assert.False(await Host.Grains.GetGrain<IPatientGrain>(phantom).ExistsAsync());
        var audit = Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        Assert.Empty(await audit.QueryAsync(new AuditFilter { PatientId = phantom }, Ct));
    }

    private Task<HttpResponseMessage> ShareAsync(HttpClient http, string recipient) =>
        http.PostAsJsonAsync("/api/shares", new { studyInstanceUid = _study.StudyUid, recipientAeTitle = recipient, reason = "second opinion" }, Ct);

    private static async Task PostConsentAsync(HttpClient http, string patient, string kind, HttpStatusCode expected, string? establishmentId = null)
    {
        using var response = await http.PostAsJsonAsync($"/api/patients/{Uri.EscapeDataString(patient)}/consent",
            new { kind, establishmentId, reason = "patient request at the front desk" }, Ct);
        Assert.True(response.StatusCode == expected, $"{kind}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        if (expected == HttpStatusCode.Forbidden) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("DataProtectionOfficer", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    private static async Task AssertNotFoundAsync(HttpResponseMessage response)
    {
        using (response) Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
