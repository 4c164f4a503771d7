using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Testing.Deidentification;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// Research exports through the API, checked from outside: every exported file read by dcmtk's dcmdump keeps no
/// identifying attribute of the profile's table with its original value, dicom3tools' dciodvfy finds no new error, the
/// patient who opposed research re-use is absent, and pseudonyms and UIDs are stable within a project only.
/// </summary>
public sealed class ResearchExportTests(ResearchExportFixture fixture) : IClassFixture<ResearchExportFixture>
{
    private static readonly object ChestCtOf2024 = new
    {
        name = "Chest CT 2024",
        purpose = "Nodule detection study, ethics committee approval 2026-17",
        cohort = new { modalities = new[] { "CT" }, studyDateFrom = "20240101", studyDateTo = "20241231", bodyParts = new[] { "CHEST" }, establishmentIds = new[] { ApiHost.DefaultEstablishmentId } },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiHost Host => fixture.Host;

    [Fact]
    public async Task Export_leaves_out_the_opposed_patient_and_passes_dcmdump_and_dciodvfy()
    {
        using var manager = Host.CreateClient(fixture.ResearchManager);
        var projectId = await CreateProjectAsync(manager);
        var (export, files) = await ExportAsync(manager, projectId);

        Assert.Equal("completed", export.GetProperty("status").GetString());
        Assert.Equal(3, export.GetProperty("total").GetInt32());
        Assert.Equal(3, export.GetProperty("done").GetInt32());
        Assert.Equal(3, export.GetProperty("exported").GetInt32());
        Assert.Equal(2, export.GetProperty("patients").GetInt32());
        Assert.Equal(1, export.GetProperty("patientsExcluded").GetInt32());
        Assert.Equal(3, files.Count);

        var originals = new[] { "A", "B", "C", "D", "E" }.SelectMany(p => fixture.OriginalFiles[p]).ToArray();
        var knownErrors = new HashSet<string>();
        foreach (var original in originals) knownErrors.UnionWith(await IndependentDeidentificationCheck.ValidationErrorsAsync(original));
        var pseudonyms = new HashSet<string>();
        foreach (var file in files)
        {
            foreach (var original in originals)
            {
                var leaks = await IndependentDeidentificationCheck.SurvivingIdentifiersAsync(original, file);
                Assert.True(leaks.Count == 0, $"{file} keeps values of {original}:\n{string.Join('\n', leaks)}");
            }

            var newErrors = (await IndependentDeidentificationCheck.ValidationErrorsAsync(file)).Except(knownErrors).ToArray();
            Assert.True(newErrors.Length == 0, $"dciodvfy reports new errors in {file}:\n{string.Join('\n', newErrors)}");
            var dump = await IndependentDeidentificationCheck.DumpAsync(file);
            Assert.Contains(dump, a => a.Tag == "00120062" && a.Value == "YES");
            Assert.Contains(dump, a => a.Tag == "00120064");
            Assert.DoesNotContain(dump, a => a.Value?.Contains("PATIENT", StringComparison.Ordinal) == true || a.Value?.Contains("CHU RESEARCH", StringComparison.Ordinal) == true);
            Assert.Contains(dump, a => a.Tag == "00081030" && a.Value == "Thorax");
            pseudonyms.Add(dump.Single(a => a.Tag == "00100020" && a.Depth == 0).Value!);
        }

        // Who the pseudonyms are: A and B only — the patient who opposed research (C) is absent.
        using var dpo = Host.CreateClient(fixture.Dpo);
        var table = await dpo.GetFromJsonAsync<JsonElement>($"/api/research/projects/{projectId}/reidentification", Ct);
        var entries = table.EnumerateArray().ToDictionary(e => e.GetProperty("pseudonym").GetString()!, e => e.GetProperty("patientReference").GetString()!);
        Assert.True(pseudonyms.SetEquals(entries.Keys));
        Assert.True(new[] { fixture.RegionalIds["A"], fixture.RegionalIds["B"] }.ToHashSet().SetEquals(entries.Values));

        await Host.Services.GetRequiredService<IAuditTrail>().FlushAsync(Ct);
        var audited = await Host.Services.GetRequiredService<IAuditTrail>().QueryAsync(new AuditFilter { Actions = [AuditAction.ResearchExport, AuditAction.Reidentification] }, Ct);
        var exportId = export.GetProperty("exportId").GetString()!;
        Assert.Contains(audited, r => r.Event.Detail!.Contains($"research export {exportId} of project {projectId} started: 3 instances of 2 patients, 1 patients left out", StringComparison.Ordinal));
        Assert.Contains(audited, r => r.Event.Outcome == AuditOutcome.Success && r.Event.Detail!.Contains($"research export {exportId} of project {projectId} finished Completed: 3 of 3 instances exported", StringComparison.Ordinal));
        Assert.Contains(audited, r => r.Event.Action == AuditAction.Reidentification && r.Event.ActorId == fixture.Dpo.Subject && r.Event.Detail!.Contains(projectId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_exports_of_a_project_give_the_same_pseudonyms_and_uids_and_another_project_other_ones()
    {
        using var manager = Host.CreateClient(fixture.ResearchManager);
        var first = await CreateProjectAsync(manager);
        var second = await CreateProjectAsync(manager);
        var a = await IdentifiersAsync((await ExportAsync(manager, first)).Files);
        var b = await IdentifiersAsync((await ExportAsync(manager, first)).Files);
        var c = await IdentifiersAsync((await ExportAsync(manager, second)).Files);

        Assert.Equal(3, a.Count);
        Assert.True(a.SetEquals(b), "two exports of one project differ");
        Assert.Empty(a.SelectMany(Values).Intersect(c.SelectMany(Values)));
    }

    [Fact]
    public async Task Only_research_roles_export_and_only_the_dpo_reidentifies()
    {
        using var technician = Host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Technician | MircRoles.Radiologist, "10000000703"));
        using (var refused = await technician.PostAsJsonAsync("/api/research/projects", ChestCtOf2024, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var manager = Host.CreateClient(fixture.ResearchManager);
        var projectId = await CreateProjectAsync(manager);
        using (var refused = await manager.GetAsync($"/api/research/projects/{projectId}/reidentification", Ct))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var refused = await technician.PostAsync($"/api/research/projects/{projectId}/exports", null, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var unknown = await manager.PostAsync($"/api/research/projects/{Guid.NewGuid():N}/exports", null, Ct))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var invalid = await manager.PostAsJsonAsync("/api/research/projects", new { name = "x", purpose = "y", cohort = new { studyDateFrom = "2024-01-01" } }, Ct))
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        // The research opposition is a consent kind of its own: recorded by the consent roles only, separate from sharing.
        using (var refused = await manager.PostAsJsonAsync($"/api/patients/{fixture.RegionalIds["A"]}/consent", new { kind = "OpposeResearch", reason = "letter" }, Ct))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var consentOfC = await Host.Grains.GetGrain<IConsentGrain>(fixture.RegionalIds["C"]).GetAsync();
        Assert.True(consentOfC.ResearchReuseOpposed);
        Assert.NotEqual(ConsentDecision.Opposed, consentOfC.Decision);
        var consentOfB = await Host.Grains.GetGrain<IConsentGrain>(fixture.RegionalIds["B"]).GetAsync();
        Assert.False(consentOfB.ResearchReuseOpposed);
    }

    private static IEnumerable<string> Values(string identifiers) => identifiers.Split('|')[..4]; // dates may meet by chance

    private async Task<string> CreateProjectAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/research/projects", ChestCtOf2024, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("projectId").GetString()!;
    }

    private async Task<(JsonElement Export, IReadOnlyList<string> Files)> ExportAsync(HttpClient client, string projectId)
    {
        var (export, folder) = await ResearchExportRun.RunAsync(client, projectId, Host.DataPath);
        return (export, Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dcm", SearchOption.AllDirectories) : []);
    }

    // Patient id, study, series and instance UIDs of each exported file, as dcmdump reads them.
    private static async Task<HashSet<string>> IdentifiersAsync(IReadOnlyList<string> files)
    {
        var set = new HashSet<string>();
        foreach (var file in files)
        {
            var dump = await IndependentDeidentificationCheck.DumpAsync(file);
            string Top(string tag) => dump.Single(a => a.Tag == tag && a.Depth == 0).Value!;
            set.Add(string.Join('|', Top("00100020"), Top("0020000D"), Top("0020000E"), Top("00080018"), Top("00080020")));
        }

        return set;
    }
}
