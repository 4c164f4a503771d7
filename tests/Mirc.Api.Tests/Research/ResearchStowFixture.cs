using System.Net;
using System.Net.Http.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Api.Tests.Hosting;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Xunit;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// One silo and one research PACS (Orthanc, basic authentication) it may push to: destination <c>orthanc</c> with the right
/// credential, <c>orthanc-wrong</c> with a wrong password. The archive holds chest CTs of 2024: A (6 instances), B (4) and
/// C (2, opposes research re-use). Small batches and short retry pauses make an outage visible within seconds.
/// </summary>
public sealed class ResearchStowFixture : IAsyncLifetime
{
    public ApiHost Host { get; private set; } = null!;

    public OrthancResearchPacs Pacs { get; } = new();

    public string OriginalsFolder { get; } = Directory.CreateTempSubdirectory("mirc-research-stow-originals-").FullName;

    public Dictionary<string, string> RegionalIds { get; } = [];

    public List<string> OriginalFiles { get; } = [];

    public ProfessionalPrincipal Dpo { get; } = ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000711");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await Pacs.StartAsync();
        Host = new ApiHost(new Dictionary<string, string>
        {
            ["Mirc:Research:BatchSize"] = "2",
            ["Mirc:Research:ExportConcurrency"] = "2",
            ["Mirc:Research:StowBatchSize"] = "2",
            ["Mirc:Research:StowAttempts"] = "2",
            ["Mirc:Research:StowRetryDelayMilliseconds"] = "100",
            ["Mirc:Research:StowTimeoutSeconds"] = "10",
            ["Mirc:Research:DestinationRetrySeconds"] = "1",
            ["Mirc:Research:StowDestinations:orthanc:Url"] = Pacs.StowUrl.ToString(),
            ["Mirc:Research:StowDestinations:orthanc:Username"] = Pacs.Username,
            ["Mirc:Research:StowDestinations:orthanc:Password"] = Pacs.Password,
            ["Mirc:Research:StowDestinations:orthanc-wrong:Url"] = Pacs.StowUrl.ToString(),
            ["Mirc:Research:StowDestinations:orthanc-wrong:Username"] = Pacs.Username,
            ["Mirc:Research:StowDestinations:orthanc-wrong:Password"] = "not-" + Pacs.Password,
        });
        using var technician = Host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Technician, "10000000710"));
        await StoreAsync(technician, "A", 6, ct);
        await StoreAsync(technician, "B", 4, ct);
        await StoreAsync(technician, "C", 2, ct);
        using var dpo = Host.CreateClient(Dpo);
        using var opposed = await dpo.PostAsJsonAsync($"/api/patients/{RegionalIds["C"]}/consent", new { kind = "OpposeResearch", reason = "signed letter of the patient" }, ct);
        Assert.Equal(HttpStatusCode.OK, opposed.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        await Pacs.DisposeAsync();
        try { Directory.Delete(OriginalsFolder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task StoreAsync(HttpClient client, string patient, int instances, CancellationToken ct)
    {
        var study = StudyDescription.Create("20240415") with { PatientName = $"STOWPATIENT{patient}^Research", PatientId = $"RX-{patient}-{Guid.NewGuid():N}"[..20] };
        var series = SyntheticInstance.NewUid();
        var files = new List<byte[]>();
        for (var i = 1; i <= instances; i++)
        {
            var file = DicomFileReader.Read(SyntheticInstance.Native(study, series, 1, i, "CT").Bytes);
            file.Dataset.Set(DicomTag.BodyPartExamined, DicomVR.CS, "CHEST");
            file.Dataset.Set(DicomTag.InstitutionName, DicomVR.LO, "CHU STOW TEST");
            var bytes = DicomFileWriter.Write(file);
            var path = Path.Combine(OriginalsFolder, $"{patient}-{i}.dcm");
            await File.WriteAllBytesAsync(path, bytes, ct);
            OriginalFiles.Add(path);
            files.Add(bytes);
        }

        using var stow = await client.StowAsync(files);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        RegionalIds[patient] = (await Host.Grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync()).PatientId!;
    }
}
