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
/// One silo holding five patients' CT/MR studies: A (two chest CT instances) and B (one chest CT, who opposes care
/// sharing but not research) are in the cohort; C (chest CT) opposes research re-use; D's study is MR and E's is
/// from 2019, both outside the cohort. The originals are kept as files for the independent tools.
/// </summary>
public sealed class ResearchExportFixture : IAsyncLifetime
{
    public ApiHost Host { get; private set; } = null!;

    public string OriginalsFolder { get; } = Directory.CreateTempSubdirectory("mirc-research-originals-").FullName;

    public Dictionary<string, string> RegionalIds { get; } = [];

    public Dictionary<string, List<string>> OriginalFiles { get; } = [];

    public ProfessionalPrincipal Dpo { get; } = ApiHost.Professional("platform", MircRoles.DataProtectionOfficer, "10000000701");

    public ProfessionalPrincipal ResearchManager { get; } = ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.ResearchManager, "10000000702");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        // Small batches: an export of a few instances still goes through several persisted progress steps.
        Host = new ApiHost(new Dictionary<string, string> { ["Mirc:Research:BatchSize"] = "2", ["Mirc:Research:ExportConcurrency"] = "2" });
        using var technician = Host.CreateClient(ApiHost.Professional(ApiHost.DefaultEstablishmentId, MircRoles.Technician, "10000000700"));
        await StoreAsync(technician, "A", "CT", "CHEST", "20240315", 2, ct);
        await StoreAsync(technician, "B", "CT", "CHEST", "20240601", 1, ct);
        await StoreAsync(technician, "C", "CT", "CHEST", "20240320", 1, ct);
        await StoreAsync(technician, "D", "MR", "CHEST", "20240320", 1, ct);
        await StoreAsync(technician, "E", "CT", "CHEST", "20190101", 1, ct);

        using var dpo = Host.CreateClient(Dpo);
        await RecordConsentAsync(dpo, "C", "OpposeResearch", ct);
        await RecordConsentAsync(dpo, "B", "Oppose", ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        try { Directory.Delete(OriginalsFolder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task StoreAsync(HttpClient client, string patient, string modality, string bodyPart, string studyDate, int instances, CancellationToken ct)
    {
        var study = StudyDescription.Create(studyDate) with { PatientName = $"PATIENT{patient}^Research", PatientId = $"RS-{patient}-{Guid.NewGuid():N}"[..20] };
        var series = SyntheticInstance.NewUid();
        var files = new List<byte[]>();
        OriginalFiles[patient] = [];
        for (var i = 1; i <= instances; i++)
        {
            var file = DicomFileReader.Read(SyntheticInstance.Native(study, series, 1, i, modality).Bytes);
            file.Dataset.Set(DicomTag.BodyPartExamined, DicomVR.CS, bodyPart);
            file.Dataset.Set(DicomTag.InstitutionName, DicomVR.LO, "CHU RESEARCH TEST");
            file.Dataset.Set(DicomTag.StudyDescription, DicomVR.LO, $"Thorax PATIENT{patient} {study.PatientId}");
            file.Dataset.Set(DicomTag.FrameOfReferenceUID, DicomVR.UI, SyntheticInstance.NewUid());
            var bytes = DicomFileWriter.Write(file);
            var path = Path.Combine(OriginalsFolder, $"{patient}-{i}.dcm");
            await File.WriteAllBytesAsync(path, bytes, ct);
            OriginalFiles[patient].Add(path);
            files.Add(bytes);
        }

        using var stow = await client.StowAsync(files);
        Assert.Equal(HttpStatusCode.OK, stow.StatusCode);
        RegionalIds[patient] = (await Host.Grains.GetGrain<IStudyGrain>(study.StudyUid).GetSummaryAsync()).PatientId!;
    }

    private async Task RecordConsentAsync(HttpClient dpo, string patient, string kind, CancellationToken ct)
    {
        using var response = await dpo.PostAsJsonAsync($"/api/patients/{RegionalIds[patient]}/consent", new { kind, reason = "signed letter of the patient" }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
