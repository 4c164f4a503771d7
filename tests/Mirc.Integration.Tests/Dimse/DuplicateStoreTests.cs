using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Security;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// Idempotency on the data set with dcmtk: the same file from two AE titles, then by STOW-RS, is success each time; a
/// different data set under the same SOP Instance UID is refused (default policy Reject) with a status dcmtk knows; the
/// same instance in another transfer syntax or character set — re-encoded by dcmtk's and GDCM's converters (or
/// deflated by storescu on the way), or pydicom's test file in the variants GDCM, pydicom and dcmtk wrote — is the same
/// instance, and the stored copy stays as first received.
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

    [Fact]
    public async Task The_same_instance_in_another_transfer_syntax_is_success_and_the_first_copy_stays()
    {
        var study = new SyntheticStudy("PAT-SYNTAX", "SYNTAXE^Hélène", seriesCount: 1, instancesPerSeries: 1);
        var file = Assert.Single(await study.WriteAsync(Path.Combine(_work.Path, "syntax"), DicomTransferSyntax.ExplicitVRLittleEndian));
        // Implicit VR, and deflated by storescu itself on the way (-xd: a PACS saving bandwidth on a slow link).
        var encoded = new List<(string Proposal, string Path)> { ("-xi", file), ("-xd", file) };
        // The UTF-8 written here re-encoded as Latin-1, as a PACS with another character set would forward it.
        var latin1 = Path.Combine(_work.Path, "latin1.dcm");
        await Dcmtk.RunOkAsync("dcmconv", "+C", "ISO_IR 100", file, latin1);
        encoded.Add(("-xe", latin1));
        foreach (var (tool, proposal, option) in new[] { ("dcmcjpls", "-xt", ""), ("dcmcrle", "-xr", ""), ("dcmcjpeg", "-xs", "+e1") })
        {
            var copy = Path.Combine(_work.Path, tool + ".dcm");
            await Dcmtk.RunOkAsync(tool, [.. new[] { option, file, copy }.Where(a => a.Length > 0)]);
            encoded.Add((proposal, copy));
        }

        var first = await Dcmtk.RunOkAsync("storescu", "-v", "-xe", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, file);
        Assert.Contains("Received Store Response (Success)", first.Combined);
        foreach (var (proposal, path) in encoded)
        {
            var again = await Dcmtk.RunAsync("storescu", "-v", proposal, "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, path);
            Assert.True(again.Combined.Contains("Received Store Response (Success)", StringComparison.Ordinal), $"{Path.GetFileName(path)} {proposal}: {again.Combined}");
        }

        var stored = await StoredAsync(study.StudyUid, study.Instances[0].SopInstanceUid);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, stored.TransferSyntaxUid);
    }

    [Theory]
    [InlineData("MR_small.dcm", "--implicit --raw --jpegls --rle --j2k")]
    [InlineData("CT_small.dcm", "--implicit --raw --jpegls --rle --j2k")]
    [InlineData("SC_rgb_small_odd.dcm", "--implicit --raw --jpegls")] // GDCM's RLE and JPEG 2000 encoders fail on its odd size
    public async Task A_third_party_file_in_the_variants_other_encoders_wrote_is_one_instance(string name, string gdcmconvOptions)
    {
        // pydicom's test files (Debian's python3-pydicom, ./test.sh), first as shipped, then as GDCM's gdcmconv re-encodes
        // them — it drops a Number of Frames of 1 and writes OB where the original had OW — and, for MR_small, in the
        // variants pydicom ships, which GDCM, pydicom and dcmtk encoded.
        var folder = DebianDicomCorpus.Roots[0].Path + "/test_files";
        var original = Path.Combine(folder, name);
        Assert.True(File.Exists(original), "python3-pydicom's test files are missing (./test.sh installs them)");
        var variants = new List<(string Proposal, string Path)>();
        var proposals = new Dictionary<string, string> { ["--implicit"] = "-xi", ["--raw"] = "-xe", ["--jpegls"] = "-xt", ["--rle"] = "-xr", ["--j2k"] = "-xv" };
        foreach (var (option, proposal) in gdcmconvOptions.Split(' ').Select(o => (o, proposals[o])))
        {
            var copy = Path.Combine(_work.Path, Path.GetFileNameWithoutExtension(name) + option.TrimStart('-') + ".dcm");
            await Dcmtk.RunOkAsync("gdcmconv", option, original, copy);
            variants.Add((proposal, copy));
        }

        if (name == "MR_small.dcm")
        {
            variants.AddRange(new[] { ("-xi", "MR_small_implicit.dcm"), ("-xr", "MR_small_RLE.dcm"), ("-xt", "MR_small_jpeg_ls_lossless.dcm"), ("-xv", "MR_small_jp2klossless.dcm"), ("-xe", "MR_small_padded.dcm"), ("-xb", "MR_small_bigendian.dcm") }
                .Select(v => (v.Item1, Path.Combine(folder, v.Item2))));
        }

        var first = await Dcmtk.RunOkAsync("storescu", "-v", "-xe", "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, original);
        Assert.Contains("Received Store Response (Success)", first.Combined);
        foreach (var (proposal, path) in variants)
        {
            var again = await Dcmtk.RunAsync("storescu", "-v", proposal, "-aet", "STORESCU", "-aec", "MIRC", "127.0.0.1", archive.Port, path);
            Assert.True(again.Combined.Contains("Received Store Response (Success)", StringComparison.Ordinal), $"{Path.GetFileName(path)} {proposal}: {again.Combined}");
        }

        var dataset = (await DicomFileReader.ReadAsync(original, DicomReadOptions.HeaderOnly, TestContext.Current.CancellationToken)).Dataset;
        var stored = await StoredAsync(dataset.GetString(DicomTag.StudyInstanceUID), dataset.GetString(DicomTag.SOPInstanceUID));
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, stored.TransferSyntaxUid);
    }

    private async Task<InstanceEntry> StoredAsync(string studyUid, string sopUid)
    {
        var grains = archive.Host.Services.GetRequiredService<IGrainFactory>();
        var study = grains.GetGrain<IStudyGrain>(studyUid);
        Assert.Single(await study.GetInstancesAsync());
        return Assert.IsType<InstanceEntry>(await study.GetInstanceAsync(sopUid));
    }
}
