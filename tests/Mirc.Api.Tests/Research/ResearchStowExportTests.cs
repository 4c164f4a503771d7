using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Tests.Hosting;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Testing.Deidentification;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// Research exports pushed by STOW-RS to an independent research PACS (Orthanc with its DICOMweb plugin), checked through
/// Orthanc's own REST API: it holds exactly the cohort's instances, under the project's pseudonyms, with no identifying
/// attribute of the profile's table left (dcmdump on the files Orthanc stored); the credential never shows; a PACS down
/// mid-way makes the export wait, then finish with every instance stored once under the same pseudonymized UIDs.
/// </summary>
public sealed class ResearchStowExportTests(ResearchStowFixture fixture) : IClassFixture<ResearchStowFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiHost Host => fixture.Host;

    private OrthancResearchPacs Pacs => fixture.Pacs;

    [Fact]
    public async Task Export_to_orthanc_stores_the_deidentified_cohort_and_never_shows_the_credential()
    {
        using var dpo = Host.CreateClient(fixture.Dpo);
        var (projectId, projectJson) = await CreateProjectAsync(dpo, "orthanc");
        var export = await WaitAsync(dpo, await StartAsync(dpo, projectId), e => e.GetProperty("status").GetString() is "completed" or "failed", 60);

        Assert.Equal("completed", export.GetProperty("status").GetString());
        Assert.Equal(10, export.GetProperty("total").GetInt32());
        Assert.Equal(10, export.GetProperty("exported").GetInt32());
        Assert.Equal(0, export.GetProperty("failed").GetInt32());
        Assert.Equal(1, export.GetProperty("patientsExcluded").GetInt32());
        Assert.Contains(Pacs.StowUrl.ToString(), export.GetProperty("output").GetString(), StringComparison.Ordinal);

        var pseudonyms = await PseudonymsAsync(dpo, projectId);
        Assert.Equal(2, pseudonyms.Count);
        var dumpFolder = Directory.CreateTempSubdirectory("mirc-research-stow-dump-").FullName;
        try
        {
            foreach (var (pseudonym, patient) in pseudonyms)
            {
                var instances = await Pacs.InstancesOfPatientAsync(pseudonym);
                Assert.Equal(patient == fixture.RegionalIds["A"] ? 6 : 4, instances.Length);
                foreach (var instance in instances)
                {
                    var tags = await Pacs.TagsAsync(instance);
                    Assert.Equal(pseudonym, tags["PatientName"]!.GetValue<string>());
                    Assert.Equal(pseudonym, tags["PatientID"]!.GetValue<string>());
                    Assert.Equal("YES", tags["PatientIdentityRemoved"]!.GetValue<string>());
                    var path = Path.Combine(dumpFolder, instance + ".dcm");
                    await File.WriteAllBytesAsync(path, await Pacs.FileAsync(instance), Ct);
                    foreach (var original in fixture.OriginalFiles)
                    {
                        var leaks = await IndependentDeidentificationCheck.SurvivingIdentifiersAsync(original, path);
                        Assert.True(leaks.Count == 0, $"Orthanc's copy {instance} keeps values of {original}:\n{string.Join('\n', leaks)}");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dumpFolder, true);
        }

        // The opposed patient's instances never reached the PACS: the two pseudonyms above hold every instance of the export.
        Assert.DoesNotContain(fixture.RegionalIds["C"], pseudonyms.Values);
        Assert.DoesNotContain(Pacs.Password, projectJson, StringComparison.Ordinal);
        Assert.DoesNotContain(Pacs.Password, export.GetRawText(), StringComparison.Ordinal);
        var audit = Host.Services.GetRequiredService<IAuditTrail>();
        await audit.FlushAsync(Ct);
        var records = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.ResearchExport] }, Ct);
        var exportId = export.GetProperty("exportId").GetString()!;
        Assert.Contains(records, r => r.Event.Outcome == AuditOutcome.Success
            && r.Event.Detail!.Contains($"research export {exportId} of project {projectId} finished Completed: 10 of 10 instances exported", StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Event.Detail!.Contains(Pacs.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_waits_while_orthanc_is_down_and_resumes_without_sending_anything_twice()
    {
        using var dpo = Host.CreateClient(fixture.Dpo);
        var (projectId, _) = await CreateProjectAsync(dpo, "orthanc");
        var location = await StartAsync(dpo, projectId);
        try
        {
            // Down mid-way: after the first batch is acknowledged, while later ones are being pushed.
            var started = await WaitAsync(dpo, location, e => e.GetProperty("done").GetInt32() >= 2, 60);
            await Pacs.StopAsync();
            Assert.True(started.GetProperty("done").GetInt32() < 10, $"the export finished before the PACS went down: {started}");
            var waiting = await WaitAsync(dpo, location, e => e.GetProperty("status").GetString() == "waiting", 60);
            Assert.True(waiting.GetProperty("done").GetInt32() < 10, waiting.ToString());
            Assert.Contains("unavailable", waiting.GetProperty("waitingFor").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await Pacs.StartAsync();
        }

        var export = await WaitAsync(dpo, location, e => e.GetProperty("status").GetString() is "completed" or "failed", 90);
        Assert.Equal("completed", export.GetProperty("status").GetString());
        Assert.Equal(10, export.GetProperty("done").GetInt32());
        Assert.Equal(10, export.GetProperty("exported").GetInt32());
        Assert.Equal(0, export.GetProperty("failed").GetInt32());
        Assert.True(export.GetProperty("destinationRetries").GetInt32() >= 1, export.ToString());
        Assert.Equal(JsonValueKind.Null, export.GetProperty("waitingFor").ValueKind);

        // Orthanc keys instances by SOP Instance UID: a batch sent again with other UIDs would show as extra instances,
        // other pseudonyms as extra patients, other study UIDs as extra studies.
        var pseudonyms = await PseudonymsAsync(dpo, projectId);
        Assert.Equal(2, pseudonyms.Count);
        foreach (var (pseudonym, patient) in pseudonyms)
        {
            var instances = await Pacs.InstancesOfPatientAsync(pseudonym);
            Assert.Equal(patient == fixture.RegionalIds["A"] ? 6 : 4, instances.Length);
            var studies = new HashSet<string>();
            foreach (var instance in instances) studies.Add((await Pacs.TagsAsync(instance))["StudyInstanceUID"]!.GetValue<string>());
            Assert.Single(studies);
        }
    }

    [Fact]
    public async Task A_refused_credential_fails_the_export_and_an_unknown_destination_is_a_bad_request()
    {
        using var dpo = Host.CreateClient(fixture.Dpo);
        var (projectId, _) = await CreateProjectAsync(dpo, "orthanc-wrong");
        var export = await WaitAsync(dpo, await StartAsync(dpo, projectId), e => e.GetProperty("status").GetString() is "completed" or "failed", 60);
        Assert.Equal("failed", export.GetProperty("status").GetString());
        Assert.Equal(0, export.GetProperty("exported").GetInt32());
        Assert.Contains("401", export.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-" + Pacs.Password, export.GetRawText(), StringComparison.Ordinal);

        using var unknown = await dpo.PostAsJsonAsync("/api/research/projects", Project("elsewhere"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("orthanc-wrong", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static object Project(string destination) => new
    {
        name = "Chest CT 2024 to the research PACS",
        purpose = "Nodule detection study, ethics committee approval 2026-17",
        cohort = new { modalities = new[] { "CT" }, studyDateFrom = "20240101", studyDateTo = "20241231", bodyParts = new[] { "CHEST" }, establishmentIds = new[] { ApiHost.DefaultEstablishmentId } },
        stowDestination = destination,
    };

    private static async Task<(string ProjectId, string Json)> CreateProjectAsync(HttpClient client, string destination)
    {
        using var response = await client.PostAsJsonAsync("/api/research/projects", Project(destination), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync(Ct);
        return (JsonDocument.Parse(json).RootElement.GetProperty("projectId").GetString()!, json);
    }

    private static async Task<string> StartAsync(HttpClient client, string projectId)
    {
        using var started = await client.PostAsync($"/api/research/projects/{projectId}/exports", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return started.Headers.Location!.OriginalString;
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string location, Func<JsonElement, bool> until, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var export = await client.GetFromJsonAsync<JsonElement>(location, Ct);
            if (until(export)) return export;
            Assert.True(DateTime.UtcNow < deadline, $"export {location} not there in {seconds} s: {export}");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<Dictionary<string, string>> PseudonymsAsync(HttpClient dpo, string projectId)
    {
        var table = await dpo.GetFromJsonAsync<JsonElement>($"/api/research/projects/{projectId}/reidentification", Ct);
        return table.EnumerateArray().ToDictionary(e => e.GetProperty("pseudonym").GetString()!, e => e.GetProperty("patientReference").GetString()!);
    }
}
