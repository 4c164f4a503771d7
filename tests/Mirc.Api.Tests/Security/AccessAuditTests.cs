using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Security;

/// <summary>
/// What the DICOMweb paths put on record: one query record per patient among the results, and every access made under
/// break-the-glass flagged for review on the access record itself. Records are durable before the response, so the
/// trail is read right after it (no polling).
/// </summary>
public sealed class AccessAuditTests(SecureHostFixture fixture) : IClassFixture<SecureHostFixture>
{
    private const string Producer = ApiHost.DefaultEstablishmentId;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private ApiHost Host => fixture.Host;
    private IAuditTrail Audit => Host.Services.GetRequiredService<IAuditTrail>();

    [Fact]
    public async Task A_QIDO_whose_results_span_two_patients_is_recorded_once_per_patient()
    {
        var accession = "SPAN" + Random.Shared.Next(100000, 999999);
        var first = StudyDescription.Create() with { AccessionNumber = accession };
        var second = StudyDescription.Create() with { AccessionNumber = accession };
        var patients = new[] { await StoreAsync(first), await StoreAsync(second) };
        var rpps = "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        using var http = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Radiologist, rpps));

        using var qido = await http.GetAsync($"/dicomweb/studies?AccessionNumber={accession}", Ct);
        Assert.Equal(HttpStatusCode.OK, qido.StatusCode);
        Assert.Equal(2, (await qido.ReadJsonAsync()).GetArrayLength());

        var queries = (await Audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Query] }, Ct)).Where(r => r.Event.ActorRpps == rpps).ToList();
        Assert.Equal(2, queries.Count);
        Assert.Equal(
            new[] { (patients[0], first.StudyUid), (patients[1], second.StudyUid) }.OrderBy(p => p.Item1),
            queries.Select(q => (q.Event.PatientId!, Assert.Single(q.Event.StudyUids))).OrderBy(p => p.Item1));
        foreach (var patient in patients)
        {
            Assert.Single(await Audit.GetPatientAccessReportAsync(patient, Ct), e => e.Who == rpps && e.Action == AuditAction.Query);
        }
    }

    [Fact]
    public async Task Accesses_made_under_break_the_glass_are_flagged_for_review_on_the_access_records()
    {
        var study = StudyDescription.Create();
        var patient = await StoreAsync(study);
        var rpps = "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        using var http = Host.CreateClient(ApiHost.Professional(AuthorizationMatrixTests.Other, MircRoles.Radiologist, rpps));
        using (var emergency = await http.PostAsJsonAsync($"/api/patients/{patient}/break-the-glass", new { reason = "unconscious patient in the ER" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, emergency.StatusCode);
        }

        using var qido = await http.GetAsync($"/dicomweb/studies?StudyInstanceUID={study.StudyUid}", Ct);
        Assert.Equal(HttpStatusCode.OK, qido.StatusCode);
        using var wado = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(HttpStatusCode.OK, wado.StatusCode);

        var records = await Audit.QueryAsync(new AuditFilter { PatientId = patient, Actions = [AuditAction.Query, AuditAction.Retrieve] }, Ct);
        var mine = records.Where(r => r.Event.ActorRpps == rpps).ToList();
        Assert.Equal([AuditAction.Query, AuditAction.Retrieve], mine.Select(r => r.Event.Action));
        Assert.All(mine, r => Assert.True(r.Event.RequiresReview, $"{r.Event.Action} not flagged"));
        Assert.All(await Audit.QueryAsync(new AuditFilter { ActorId = null, PatientId = patient, OnlyRequiringReview = true }, Ct),
            r => Assert.Equal(rpps, r.Event.ActorRpps));

        // The producer's own staff reading the same study is not an emergency access.
        var ownRpps = "1" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999);
        using var own = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Radiologist, ownRpps));
        using var ownWado = await own.GetAsync($"/dicomweb/studies/{study.StudyUid}/metadata", Ct);
        Assert.Equal(HttpStatusCode.OK, ownWado.StatusCode);
        var ownRecord = Assert.Single(await Audit.QueryAsync(new AuditFilter { PatientId = patient, Actions = [AuditAction.Retrieve] }, Ct),
            r => r.Event.ActorRpps == ownRpps);
        Assert.False(ownRecord.Event.RequiresReview);
    }

    private async Task<string> StoreAsync(StudyDescription study)
    {
        using var producer = Host.CreateClient(ApiHost.Professional(Producer, MircRoles.Technician, "10000000100"));
        using var stow = await producer.StowAsync([SyntheticInstance.Native(study, SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        var summary = await Host.Grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync();
        return summary.PatientId!;
    }
}
