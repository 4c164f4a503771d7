using System.Net;
using System.Text.Json;
using Mirc.Dicom;
using Mirc.Integration.Tests.Dimse;
using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>What was acknowledged before a restart is still found and served after it, from the same data folder.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDataFolder _data = new();
    private readonly TempDataFolder _work = new();

    public void Dispose()
    {
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Stored_study_survives_a_restart_for_query_and_retrieve()
    {
        var study = new SyntheticStudy("PAT-RESTART", "ROUSSEAU^Zoé", 1, 3);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);

        await using (var first = new MircHostFactory(_data.Path))
        {
            _ = first.Server;
            await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", first.DicomPort.ToString(), .. files]);
        }

        await using var second = new MircHostFactory(_data.Path);
        using var http = second.CreateClient();
        var port = second.DicomPort.ToString();

        var found = await Dcmtk.RunOkAsync("findscu", "-S", "-aet", "FINDSCU", "-aec", "MIRC", "-k", "QueryRetrieveLevel=STUDY",
            "-k", "PatientID=PAT-RESTART", "-k", "StudyInstanceUID", "-k", "PatientName", "127.0.0.1", port);
        Assert.Contains(study.StudyUid, found.Combined);
        Assert.Contains("ROUSSEAU^Zoé", found.Combined);

        var output = Path.Combine(_work.Path, "got");
        Directory.CreateDirectory(output);
        await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "+xe", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", port);
        Assert.Equal(3, Directory.GetFiles(output).Length);

        var dashboard = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }
}
