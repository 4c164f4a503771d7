using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Security;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// Duplicate policy Replace with dcmtk and STOW-RS: a modified file sent again under the same SOP Instance UID is
/// answered 0000 (then 200 by STOW-RS) and what QIDO-RS and WADO-RS serve afterwards is the last version, one instance.
/// </summary>
public sealed class ReplaceDuplicateStoreTests : IAsyncLifetime
{
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();
    private MircHostFactory _host = null!;

    public ValueTask InitializeAsync()
    {
        var settings = DimseHostFixture.Settings(FreePort.Next(), FreePort.Next());
        settings["Mirc:Archive:Ingest:DuplicatePolicy"] = "Replace";
        _host = new MircHostFactory(_data.Path, settings);
        _ = _host.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task A_modified_file_sent_again_by_storescu_then_by_STOW_replaces_the_stored_one()
    {
        var port = _host.DicomPort.ToString();
        var study = new SyntheticStudy("PAT-REPLACE", "DUPONT^Jean", seriesCount: 1, instancesPerSeries: 1);
        var file = Assert.Single(await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian));
        var first = await Dcmtk.RunOkAsync("storescu", "-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", port, file);
        Assert.Contains("Received Store Response (Success)", first.Combined);

        var changed = Path.Combine(_work.Path, "changed.dcm");
        File.Copy(file, changed);
        await Dcmtk.RunOkAsync("dcmodify", "-nb", "-m", "StudyDescription=CORRECTED BY MODALITY", changed);
        var replaced = await Dcmtk.RunAsync("storescu", "-d", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", port, changed);
        Assert.Matches(@"DIMSE Status\s+: 0x0000: Success", replaced.Combined);

        using var http = _host.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist, "10000000001"));
        Assert.Equal("CORRECTED BY MODALITY", await StudyDescriptionAsync(http, study.StudyUid));

        var stowed = Path.Combine(_work.Path, "stowed.dcm");
        File.Copy(file, stowed);
        await Dcmtk.RunOkAsync("dcmodify", "-nb", "-m", "StudyDescription=CORRECTED BY STOW", stowed);
        using var body = new MultipartContent("related", "mirc-replace-boundary");
        body.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var part = new ByteArrayContent(await File.ReadAllBytesAsync(stowed, TestContext.Current.CancellationToken));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        body.Add(part);
        using var response = await http.PostAsync("/dicomweb/studies", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal("CORRECTED BY STOW", await StudyDescriptionAsync(http, study.StudyUid));
        // WADO-RS serves the STOW-RS bytes exactly, and the study still holds one instance.
        using var retrieved = await http.GetAsync($"/dicomweb/studies/{study.StudyUid}/instances?includefield=00081030", TestContext.Current.CancellationToken);
        using var instances = JsonDocument.Parse(await retrieved.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var instance = Assert.Single(instances.RootElement.EnumerateArray());
        var sop = instance.GetProperty("00080018").GetProperty("Value")[0].GetString();
        var series = instance.GetProperty("0020000E").GetProperty("Value")[0].GetString();
        using var wado = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{study.StudyUid}/series/{series}/instances/{sop}");
        wado.Headers.Accept.ParseAdd("multipart/related; type=\"application/dicom\"; transfer-syntax=*");
        using var wadoResponse = await http.SendAsync(wado, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, wadoResponse.StatusCode);
        var multipart = await wadoResponse.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var expected = await File.ReadAllBytesAsync(stowed, TestContext.Current.CancellationToken);
        Assert.True(multipart.AsSpan().IndexOf(expected) >= 0, "WADO-RS does not return the STOW-RS bytes");
    }

    private static async Task<string?> StudyDescriptionAsync(HttpClient http, string studyUid)
    {
        using var response = await http.GetAsync($"/dicomweb/studies?StudyInstanceUID={studyUid}&includefield=00081030", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var study = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(1, study.GetProperty("00201208").GetProperty("Value")[0].GetInt32());
        return study.GetProperty("00081030").GetProperty("Value")[0].GetString();
    }
}
