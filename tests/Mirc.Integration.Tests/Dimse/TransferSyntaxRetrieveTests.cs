using Mirc.Dicom;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// Compressed studies retrieved by peers offering each combination of transfer syntaxes: the stored syntax when the
/// peer takes it, else a conversion; never a failed sub-operation for a syntax mismatch. Pixel values are checked
/// against dcmtk's own decoders.
/// </summary>
public sealed class TransferSyntaxRetrieveTests(DimseHostFixture archive) : IClassFixture<DimseHostFixture>, IDisposable
{
    private readonly TempDataFolder _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>A 2-instance JPEG Lossless SV1 study (dcmcjpeg), stored with storescu proposing JPEG lossless.</summary>
    private async Task<(SyntheticStudy Study, string[] Originals, string[] Jpeg)> StoreJpegLosslessStudyAsync(string patientId)
    {
        var study = new SyntheticStudy(patientId, "MARTIN^Jeanne", 1, 2);
        var originals = (await study.WriteAsync(Path.Combine(_work.Path, "raw-" + patientId), DicomTransferSyntax.ExplicitVRLittleEndian)).ToArray();
        var jpegFolder = Path.Combine(_work.Path, "jpeg-" + patientId);
        Directory.CreateDirectory(jpegFolder);
        var jpeg = originals.Select(o => Path.Combine(jpegFolder, Path.GetFileName(o))).ToArray();
        for (int i = 0; i < originals.Length; i++) await Dcmtk.RunOkAsync("dcmcjpeg", originals[i], jpeg[i]);
        await Dcmtk.RunOkAsync("storescu", ["-aet", "STORESCU", "-aec", "MIRC", "--propose-lossless", "127.0.0.1", archive.Port, .. jpeg]);
        return (study, originals, jpeg);
    }

    [Theory]
    [InlineData("+xs", "1.2.840.10008.1.2.4.70")] // JPEG lossless first: sent as stored
    [InlineData("+xv", "1.2.840.10008.1.2.4.90")] // JPEG 2000 lossless first: transcoded with OpenJPEG
    [InlineData("+xw", "1.2.840.10008.1.2.1")] // JPEG 2000 lossy first: never chosen for lossless data, uncompressed instead
    [InlineData("+xu", "1.2.840.10008.1.2.1")] // JPEG-LS near-lossless first: likewise
    [InlineData("+xd", "1.2.840.10008.1.2.1.99")] // deflated explicit VR first
    [InlineData("+x=", "1.2.840.10008.1.2.1")] // uncompressed only (the Odil case)
    [InlineData("+xi", "1.2.840.10008.1.2.1")] // implicit VR only (getscu writes what it received as explicit VR)
    [InlineData("+xt", "1.2.840.10008.1.2.4.80")] // JPEG-LS lossless first: transcoded with CharLS
    [InlineData("+xr", "1.2.840.10008.1.2.5")] // RLE first: transcoded
    public async Task CGET_of_a_jpeg_lossless_study_succeeds_in_the_syntax_negotiated_with_exact_pixels(string preference, string expectedSyntax)
    {
        var (study, originals, _) = await StoreJpegLosslessStudyAsync("PAT-TS" + preference.Trim('+', '='));
        var output = Path.Combine(_work.Path, "got" + preference);
        Directory.CreateDirectory(output);
        var get = await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", preference, "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
        Assert.DoesNotContain("A702", get.Combined, StringComparison.Ordinal);
        var received = Directory.GetFiles(output);
        Assert.True(received.Length == originals.Length, $"received {received.Length} of {originals.Length}:\n{get.Combined}");
        foreach (var original in originals)
        {
            var back = Assert.Single(received, r => r.EndsWith(Path.GetFileNameWithoutExtension(original), StringComparison.Ordinal));
            var file = await DicomFileReader.ReadAsync(back, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(expectedSyntax, file.TransferSyntax.Uid);
            Assert.Equal(await PixelsByDcmtkAsync(original), await PixelsByDcmtkAsync(back));
        }
    }

    [Fact]
    public async Task CGET_of_a_third_party_32_bit_rle_image_by_a_peer_taking_uncompressed_only_has_the_pixels_of_dcmdrle()
    {
        // pydicom's 32-bit RGB RLE file (written by another toolkit): 12 byte-plane segments, as an RT Dose grid has 4.
        var source = Mirc.Testing.DebianDicomCorpus.PathOf("pydicom/test_files/SC_rgb_rle_32bit.dcm");
        var stored = await DicomFileReader.ReadAsync(source, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(32, stored.Dataset.GetInt32OrDefault(DicomTag.BitsAllocated, 0));
        await Dcmtk.RunOkAsync("storescu", "-aet", "STORESCU", "-aec", "MIRC", "--propose-rle", "127.0.0.1", archive.Port, source);
        var output = Path.Combine(_work.Path, "got-rle32");
        Directory.CreateDirectory(output);
        var get = await Dcmtk.RunOkAsync("getscu", "-aet", "GETSCU", "-aec", "MIRC", "+x=", "-od", output, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={stored.Dataset.GetString(DicomTag.StudyInstanceUID)}", "127.0.0.1", archive.Port);
        var received = Directory.GetFiles(output);
        Assert.True(received.Length == 1, $"received {received.Length} files:\n{get.Combined}");
        var back = received[0];
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, (await DicomFileReader.ReadAsync(back, cancellationToken: TestContext.Current.CancellationToken)).TransferSyntax.Uid);
        Assert.Equal(await PixelsByDcmtkAsync(source), await PixelsByDcmtkAsync(back));
    }

    [Fact]
    public async Task CMOVE_to_a_storescp_preferring_jpeg_lossless_gets_the_stored_fragments_unchanged()
    {
        var (study, _, jpeg) = await StoreJpegLosslessStudyAsync("PAT-TS-EXACT");
        var output = Path.Combine(_work.Path, "exact");
        Directory.CreateDirectory(output);
        using var receiver = DcmtkStoreScp.Start("IT_DEST", archive.MoveDestinationPort, output, "+xs");
        var move = await Dcmtk.RunOkAsync("movescu", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "IT_DEST", "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
        var received = Directory.GetFiles(output);
        Assert.True(received.Length == jpeg.Length, $"moved {received.Length} of {jpeg.Length}:\n{move.Combined}");
        foreach (var sent in jpeg)
        {
            var back = Assert.Single(received, r => r.EndsWith(Path.GetFileNameWithoutExtension(sent), StringComparison.Ordinal));
            var file = await DicomFileReader.ReadAsync(back, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(DicomUids.JPEGLosslessSV1, file.TransferSyntax.Uid);
            var original = await DicomFileReader.ReadAsync(sent, cancellationToken: TestContext.Current.CancellationToken);
            var fragments = Assert.IsType<DicomFragmentSequence>(file.Dataset[DicomTag.PixelData]);
            var sentFragments = Assert.IsType<DicomFragmentSequence>(original.Dataset[DicomTag.PixelData]);
            Assert.Equal(sentFragments.Fragments.Select(f => Convert.ToHexString(f.Span)), fragments.Fragments.Select(f => Convert.ToHexString(f.Span)));
        }
    }

    [Fact]
    public async Task CMOVE_to_a_storescp_accepting_uncompressed_only_decodes_and_reports_success()
    {
        var (study, originals, _) = await StoreJpegLosslessStudyAsync("PAT-TS-MOVE");
        var output = Path.Combine(_work.Path, "moved-raw");
        Directory.CreateDirectory(output);
        using var receiver = DcmtkStoreScp.Start("IT_DEST", archive.MoveDestinationPort, output);
        var move = await Dcmtk.RunOkAsync("movescu", "-v", "-S", "-aet", "MOVESCU", "-aec", "MIRC", "-aem", "IT_DEST", "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
        Assert.DoesNotContain("A702", move.Combined, StringComparison.Ordinal);
        var received = Directory.GetFiles(output);
        Assert.True(received.Length == originals.Length, $"moved {received.Length} of {originals.Length}:\n{move.Combined}");
        foreach (var original in originals)
        {
            var back = Assert.Single(received, r => r.EndsWith(Path.GetFileNameWithoutExtension(original), StringComparison.Ordinal));
            var file = await DicomFileReader.ReadAsync(back, cancellationToken: TestContext.Current.CancellationToken);
            Assert.False(file.TransferSyntax.IsEncapsulated);
            Assert.Equal(await PixelsByDcmtkAsync(original), await PixelsByDcmtkAsync(back));
        }
    }

    [Fact]
    public async Task Odil_offering_uncompressed_only_retrieves_a_jpeg_lossless_study_by_CGET_with_exact_pixels()
    {
        var (study, originals, _) = await StoreJpegLosslessStudyAsync("PAT-TS-ODIL");
        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing: run ./test.sh (it installs python3-odil)");
        var script = Path.Combine(AppContext.BaseDirectory, "Dimse", "odil_get.py");
        var run = await ExternalTool.RunAsync("/usr/bin/python3", [script, "127.0.0.1", archive.Port, "GETSCU", "MIRC", study.StudyUid, DicomUids.CTImageStorage],
            TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, workingDirectory: Path.GetTempPath());
        Assert.True(run.ExitCode == 0, $"Odil C-GET failed:\n{run.Combined}");
        var received = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(originals.Length, received.Count);
        foreach (var original in originals)
        {
            var file = await DicomFileReader.ReadAsync(original, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(file.Dataset.TryGetBytes(DicomTag.PixelData, out var pixels));
            var sop = file.Dataset.GetString(DicomTag.SOPInstanceUID);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pixels.Span)), received[sop]);
        }
    }

    /// <summary>Pixel values as dcmtk decodes them (dcmdjpeg / dcmdjpls / dcmdrle; GDCM for JPEG 2000), as hex.</summary>
    private async Task<string> PixelsByDcmtkAsync(string path)
    {
        var file = await DicomFileReader.ReadAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        var decoded = path;
        var decoder = file.TransferSyntax.Uid switch
        {
            DicomUids.JPEGLosslessSV1 or DicomUids.JPEGLossless => "dcmdjpeg",
            DicomUids.JPEGLSLossless => "dcmdjpls",
            DicomUids.RLELossless => "dcmdrle",
            _ => null,
        };
        if (decoder is not null)
        {
            decoded = Path.Combine(_work.Path, Guid.NewGuid() + ".dcm");
            await Dcmtk.RunOkAsync(decoder, path, decoded);
        }
        else if (file.TransferSyntax.Uid == DicomUids.JPEG2000Lossless)
        {
            // dcmtk has no JPEG 2000 codec: GDCM (OpenJPEG inside, but its own DICOM handling) is the reference.
            decoded = Path.Combine(_work.Path, Guid.NewGuid() + ".dcm");
            await Dcmtk.RunOkAsync("gdcmconv", "--raw", path, decoded);
        }
        var native = await DicomFileReader.ReadAsync(decoded, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(native.Dataset.TryGetBytes(DicomTag.PixelData, out var pixels));
        return Convert.ToHexString(pixels.Span);
    }
}
