using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>One host shared by the authorization matrix (each case stores its own study for its own patient).</summary>
public sealed class SecureHostFixture : IAsyncLifetime
{
    /// <summary>AE title of the other establishment's workstation (query + retrieve).</summary>
    public const string OtherAe = "OTHER_WS";

    /// <summary>AE title of the producer's workstation (appsettings.json seeds GETSCU with query + retrieve).</summary>
    public const string ProducerAe = "GETSCU";

    public ApiHost Host { get; } = new(new Dictionary<string, string>
    {
        ["Mirc:Seed:Establishments:1:Id"] = AuthorizationMatrixTests.Other,
        ["Mirc:Seed:Establishments:1:Name"] = "Clinique Autre",
        ["Mirc:Seed:Establishments:1:AeTitles:0:AeTitle"] = OtherAe,
        ["Mirc:Seed:Establishments:1:AeTitles:0:Permissions"] = "Query, Retrieve",
        ["Mirc:Seed:Establishments:2:Id"] = AuthorizationMatrixTests.PrivateClinic,
        ["Mirc:Seed:Establishments:2:Name"] = "Clinique Privee",
        ["Mirc:Seed:Establishments:2:Sharing"] = "Private",
    });

    public ValueTask InitializeAsync()
    {
        _ = Host.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// End-to-end authorization with the secure policy on both paths: role × consent × care relationship × establishment,
/// each asserted on DICOMweb (QIDO-RS lists the study? WADO-RS metadata 200 or 404) AND on DIMSE (C-FIND match and
/// C-GET instances, as the same professional through user identity negotiation). Consent and care are arranged
/// through the patient security endpoints, so those are exercised too.
/// </summary>
public sealed class AuthorizationMatrixTests(SecureHostFixture fixture) : IClassFixture<SecureHostFixture>
{
    private const string Producer = ApiHost.DefaultEstablishmentId;
    internal const string Other = "920000002";
    internal const string PrivateClinic = "440000004";
    private const string Third = "330000003";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private ApiHost Host => fixture.Host;

    public enum Care { None, Declared, Ended, BreakTheGlass, OtherPatient }

    public enum Consent { Default, Opposed, RefusesViewer, RefusesThird, GrantedThenOpposed }

    [Theory]
    [InlineData(Producer, MircRoles.Technician, Consent.Default, Care.None, true)]
    [InlineData(Producer, MircRoles.Radiologist, Consent.Opposed, Care.None, true)] // opposition governs sharing, not the producer's own care
    [InlineData(Producer, MircRoles.EstablishmentAdmin, Consent.Default, Care.None, false)]
    [InlineData(Producer, MircRoles.DataProtectionOfficer, Consent.Default, Care.None, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Default, Care.None, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Default, Care.Declared, true)]
    [InlineData(Other, MircRoles.Physician, Consent.Default, Care.Declared, true)]
    [InlineData(Other, MircRoles.Technician, Consent.Default, Care.Declared, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Opposed, Care.Declared, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.GrantedThenOpposed, Care.Declared, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.RefusesViewer, Care.Declared, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.RefusesThird, Care.Declared, true)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Default, Care.Ended, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Default, Care.OtherPatient, false)]
    [InlineData(Other, MircRoles.Radiologist, Consent.Default, Care.BreakTheGlass, true)]
    [InlineData(Other, MircRoles.Physician, Consent.Opposed, Care.BreakTheGlass, false)]
    [InlineData(Other, MircRoles.PlatformAdmin, Consent.Default, Care.Declared, false)]
    public async Task Dicomweb_and_dimse_query_and_retrieve_follow_the_access_decision(string establishment, MircRoles roles, Consent consent, Care care, bool visible)
    {
        var (study, patientId) = await StoreStudyAsync();
        await ArrangeConsentAsync(patientId, consent);
        var viewer = ApiHost.Professional(establishment, roles, "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999));
        using var http = Host.CreateClient(viewer);
        await ArrangeCareAsync(http, patientId, care, roles);

        using var qido = await http.GetAsync($"/dicomweb/studies?StudyInstanceUID={study.StudyUid}", Ct);
        var listed = qido.StatusCode == HttpStatusCode.OK && (await qido.ReadJsonAsync()).GetArrayLength() > 0;
        Assert.True(qido.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"QIDO answered {qido.StatusCode}");
        Assert.Equal(visible, listed);

        using var wado = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(visible ? HttpStatusCode.OK : HttpStatusCode.NotFound, wado.StatusCode);

        var (username, secret) = await DimseProfessionalClient.CreateAccountAsync(Host.Grains, viewer);
        var ae = establishment == Producer ? SecureHostFixture.ProducerAe : SecureHostFixture.OtherAe;
        var dimse = await DimseProfessionalClient.FindAndGetAsync(Host.DicomPort, ae, username, secret, study.StudyUid, Ct);
        Assert.Equal(visible ? 1 : 0, dimse.FindMatches);
        Assert.Equal(visible ? 1 : 0, dimse.Retrieved);
    }

    [Theory]
    [InlineData(Care.Declared)]
    [InlineData(Care.BreakTheGlass)]
    public async Task Studies_of_a_private_producer_are_neither_listed_nor_retrievable_by_other_establishments(Care care)
    {
        // The index pre-filter admits a cared-for patient's studies whatever their producer: the row re-check must not.
        var (study, patientId) = await StoreStudyAsync(PrivateClinic);
        var viewer = ApiHost.Professional(Other, MircRoles.Radiologist, "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999));
        using var http = Host.CreateClient(viewer);
        await ArrangeCareAsync(http, patientId, care, viewer.Roles);

        using var qido = await http.GetAsync($"/dicomweb/studies?StudyInstanceUID={study.StudyUid}", Ct);
        Assert.True(qido.StatusCode == HttpStatusCode.NoContent || (await qido.ReadJsonAsync()).GetArrayLength() == 0, $"QIDO listed it ({qido.StatusCode})");
        using var series = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/series", Ct);
        Assert.True(series.StatusCode == HttpStatusCode.NoContent || (await series.ReadJsonAsync()).GetArrayLength() == 0, $"QIDO listed its series ({series.StatusCode})");
        using var wado = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(HttpStatusCode.NotFound, wado.StatusCode);

        var (username, secret) = await DimseProfessionalClient.CreateAccountAsync(Host.Grains, viewer);
        var dimse = await DimseProfessionalClient.FindAndGetAsync(Host.DicomPort, SecureHostFixture.OtherAe, username, secret, study.StudyUid, Ct);
        Assert.Equal(0, dimse.FindMatches);
        Assert.Equal(0, dimse.Retrieved);

        // The private producer's own staff still list and open it.
        using var own = Host.CreateClient(ApiHost.Professional(PrivateClinic, MircRoles.Radiologist, "10000000444"));
        using var ownQido = await own.GetAsync($"/dicomweb/studies?StudyInstanceUID={study.StudyUid}", Ct);
        Assert.Equal(HttpStatusCode.OK, ownQido.StatusCode);
        Assert.Equal(1, (await ownQido.ReadJsonAsync()).GetArrayLength());
        using var ownWado = await own.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(HttpStatusCode.OK, ownWado.StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_token_are_refused_with_401()
    {
        var (study, _) = await StoreStudyAsync();
        using var anonymous = Host.CreateAnonymousClient();
        foreach (var url in new[] { $"/dicomweb/studies?StudyInstanceUID={study.StudyUid}", $"/dicomweb/studies/{study.StudyUid}/metadata", "/api/establishments/" + Producer })
        {
            using var response = await anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var stow = await anonymous.StowAsync([SyntheticInstance.Native(StudyDescription.Create(), SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.Equal(HttpStatusCode.Unauthorized, stow.StatusCode);
    }

    [Fact]
    public async Task Consent_changes_need_a_reason_and_keep_their_history()
    {
        var (_, patientId) = await StoreStudyAsync();
        using var dpo = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.DataProtectionOfficer, "10000000777"));
        using var missingReason = await dpo.PostAsJsonAsync($"/api/patients/{patientId}/consent", new { kind = "Oppose" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, missingReason.StatusCode);

        await ChangeConsentAsync(patientId, "Oppose", null);
        await ChangeConsentAsync(patientId, "Reset", null);
        using var history = await dpo.GetAsync($"/api/patients/{patientId}/consent/history", Ct);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        var kinds = (await history.ReadJsonAsync()).EnumerateArray().Select(c => c.GetProperty("kind").ToString()).ToArray();
        Assert.Equal(2, kinds.Length);

        using var technician = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000778"));
        using var refused = await technician.PostAsJsonAsync($"/api/patients/{patientId}/consent", new { kind = "Grant", reason = "asked" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Patient_access_report_lists_who_retrieved_the_images()
    {
        var (study, patientId) = await StoreStudyAsync();
        var viewer = ApiHost.Professional(Other, MircRoles.Radiologist, "10000000888");
        using var http = Host.CreateClient(viewer);
        await ArrangeCareAsync(http, patientId, Care.Declared, viewer.Roles);
        using var wado = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(HttpStatusCode.OK, wado.StatusCode);

        using var dpo = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.DataProtectionOfficer, "10000000779"));
        using var forbidden = await http.GetAsync($"/api/patients/{patientId}/accesses", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        // The administrator of the establishment that cares for the patient answers the patient; another's does not.
        using var producerAdmin = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.EstablishmentAdmin, "10000000780"));
        using var ownReport = await producerAdmin.GetAsync($"/api/patients/{patientId}/accesses", Ct);
        Assert.Equal(HttpStatusCode.OK, ownReport.StatusCode);
        using var otherAdmin = Host.CreateClient(ApiHost.Professional(Other, MircRoles.EstablishmentAdmin, "10000000781"));
        using var otherReport = await otherAdmin.GetAsync($"/api/patients/{patientId}/accesses", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, otherReport.StatusCode);

        // The trail is written in the background: poll briefly.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string report;
        do
        {
            using var response = await dpo.GetAsync($"/api/patients/{patientId}/accesses", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            report = await response.Content.ReadAsStringAsync(Ct);
            if (report.Contains("10000000888", StringComparison.Ordinal)) return;
            await Task.Delay(200, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail("the access report never named the viewer: " + report);
    }

    private async Task<(StudyDescription Study, string PatientId)> StoreStudyAsync(string producerId = Producer)
    {
        var study = StudyDescription.Create();
        using var producer = Host.CreateClient(ApiHost.Professional(producerId, MircRoles.Technician, "10000000100"));
        using var stow = await producer.StowAsync([SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        var summary = await Host.Grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync();
        Assert.False(string.IsNullOrEmpty(summary.PatientId));
        return (study, summary.PatientId!);
    }

    private async Task ArrangeConsentAsync(string patientId, Consent consent)
    {
        switch (consent)
        {
            case Consent.Opposed: await ChangeConsentAsync(patientId, "Oppose", null); break;
            case Consent.RefusesViewer: await ChangeConsentAsync(patientId, "RefuseEstablishment", Other); break;
            case Consent.RefusesThird: await ChangeConsentAsync(patientId, "RefuseEstablishment", Third); break;
            case Consent.GrantedThenOpposed:
                await ChangeConsentAsync(patientId, "Grant", null);
                await ChangeConsentAsync(patientId, "Oppose", null);
                break;
        }
    }

    private async Task ChangeConsentAsync(string patientId, string kind, string? establishmentId)
    {
        using var dpo = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.DataProtectionOfficer, "10000000777"));
        using var response = await dpo.PostAsJsonAsync($"/api/patients/{patientId}/consent",
            new { kind, establishmentId, reason = "patient request at the front desk" }, Ct);
        Assert.True(response.IsSuccessStatusCode, $"consent {kind}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    private async Task ArrangeCareAsync(HttpClient viewer, string patientId, Care care, MircRoles roles)
    {
        var mayDeclare = (roles & (MircRoles.Radiologist | MircRoles.Physician)) != 0;
        switch (care)
        {
            case Care.Declared or Care.Ended:
            {
                using var declared = await viewer.PostAsJsonAsync($"/api/patients/{patientId}/care-relationship", new { reason = "follow-up consultation" }, Ct);
                Assert.Equal(mayDeclare ? HttpStatusCode.OK : HttpStatusCode.Forbidden, declared.StatusCode);
                if (care == Care.Ended)
                {
                    using var ended = await viewer.DeleteAsync($"/api/patients/{patientId}/care-relationship", Ct);
                    Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
                }

                break;
            }
            case Care.OtherPatient:
            {
                // A real other patient: a phantom one answers 404 and records nothing.
                var (_, someoneElse) = await StoreStudyAsync();
                using var declared = await viewer.PostAsJsonAsync($"/api/patients/{someoneElse}/care-relationship", new { reason = "another patient" }, Ct);
                Assert.Equal(HttpStatusCode.OK, declared.StatusCode);
                break;
            }
            case Care.BreakTheGlass:
            {
                using var noReason = await viewer.PostAsJsonAsync($"/api/patients/{patientId}/break-the-glass", new { reason = " " }, Ct);
                Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
                using var emergency = await viewer.PostAsJsonAsync($"/api/patients/{patientId}/break-the-glass", new { reason = "unconscious patient in the ER" }, Ct);
                Assert.True(emergency.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, emergency.StatusCode.ToString());
                break;
            }
        }
    }
}
