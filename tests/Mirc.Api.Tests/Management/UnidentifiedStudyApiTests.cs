using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Management;

/// <summary>A study STOWed without Patient ID is reconciled with a known patient through the management API, audited.</summary>
public sealed class UnidentifiedStudyApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unidentified_study_is_reconciled_by_its_establishment_and_the_operation_audited()
    {
        await using var host = new ApiHost();
        using var http = host.CreateClient();
        var known = StudyDescription.Create();
        var unidentified = StudyDescription.Create() with { PatientId = "" };
        var seriesUid = SyntheticInstance.NewUid();
        Assert.Equal(HttpStatusCode.OK, (await http.StowAsync([SyntheticInstance.Native(known, seriesUid, 1, 1).Bytes])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.StowAsync([SyntheticInstance.Native(unidentified, SyntheticInstance.NewUid(), 1, 1).Bytes])).StatusCode);
        var target = (await host.Grains.GetGrain<IStudyGrain>(known.StudyUid).GetSummaryAsync()).PatientId!;
        var provisional = (await host.Grains.GetGrain<IStudyGrain>(unidentified.StudyUid).GetSummaryAsync()).PatientId!;
        Assert.NotEqual(target, provisional);

        using var admin = host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.EstablishmentAdmin, "10000000077"));
        using var otherAdmin = host.CreateClient(ApiHost.Professional("750000999", MircRoles.EstablishmentAdmin, "10000000078"));
        var request = new { studyInstanceUid = unidentified.StudyUid, reason = "identified at the emergency desk" };

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/patients/{target}/reconcile", new { studyInstanceUid = unidentified.StudyUid }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.PostAsJsonAsync($"/api/patients/{target}/reconcile", request, Ct)).StatusCode);
        var reconciled = await admin.PostAsJsonAsync($"/api/patients/{target}/reconcile", request, Ct);

        Assert.Equal(HttpStatusCode.OK, reconciled.StatusCode);
        Assert.Equal(provisional, (await reconciled.ReadJsonAsync()).GetProperty("provisionalPatientId").GetString());
        Assert.Equal(target, (await host.Grains.GetGrain<IStudyGrain>(unidentified.StudyUid).GetSummaryAsync()).PatientId);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/patients/{target}/reconcile", request, Ct)).StatusCode);
        var audit = host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        var records = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.IdentityLink] }, Ct);
        var record = Assert.Single(records, r => r.Event.StudyUids.Contains(unidentified.StudyUid));
        Assert.Equal(target, record.Event.PatientId);
        Assert.Contains("identified at the emergency desk", record.Event.Detail, StringComparison.Ordinal);
    }
}
