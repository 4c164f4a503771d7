using System.Net;
using System.Net.Http.Headers;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Security;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// Idempotency on the data set with dcmtk: the same file from two AE titles, then by STOW-RS, is success each time; a
/// different data set under the same SOP Instance UID is refused (default policy Reject) with a status dcmtk knows.
/// </summary>
public sealed class DuplicateStoreTests(DimseHostFixture archive) : IClassFixture<DimseHostFixture>, IDisposable
{
    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_same_file_from_two_AE_titles_and_by_STOW_after_C_STORE_succeeds_and_a_different_data_set_is_refused()
    {
        var study = new SyntheticStudy("PAT-DUP", "DUPONT^Jean", seriesCount: 1, instancesPerSeries: 1);
        var file = Assert.Single(await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian));

        var first = await Dcmtk.RunOkAsync("storescu", "-v", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, file);
        var again = await Dcmtk.RunOkAsync("storescu", "-v", "-aet", "ECHOSCU", "-aec", "MIRC", "127.0.0.1", archive.Port, file);
        Assert.Contains("Received Store Response (Success)", first.Combined);
        Assert.Contains("Received Store Response (Success)", again.Combined);

        using var stow = archive.Host.CreateClient(BearerTokens.Principal("750000001", MircRoles.Radiologist, "10000000001"));
        using var body = new MultipartContent("related", "mirc-duplicate-boundary");
        body.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        var part = new ByteArrayContent(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        body.Add(part);
        using var stowed = await stow.PostAsync("/dicomweb/studies", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, stowed.StatusCode);

        var changed = Path.Combine(_work.Path, "changed.dcm");
        File.Copy(file, changed);
        await Dcmtk.RunOkAsync("dcmodify", "-nb", "-m", "StudyDescription=CHANGED", changed);
        var refused = await Dcmtk.RunAsync("storescu", "-d", "-aet", "ECHOSCU", "-aec", "MIRC", "127.0.0.1", archive.Port, changed);
        Assert.Matches(@"DIMSE Status\s+: 0x0110: Failure", refused.Combined);
        Assert.Matches(@"\(0000,0902\) LO \[A different data set is already stored", refused.Combined);
    }
}
