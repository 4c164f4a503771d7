using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Our server driven by dcmtk SCUs.</summary>
public sealed class ServerWithDcmtkTests : IDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("mirc-dimse-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Echoscu_succeeds()
    {
        await using var server = new TestServer();
        var (code, output) = await Dcmtk.RunAsync("echoscu", ["-aet", "ECHOER", "-aec", "MIRC", "127.0.0.1", server.Port.ToString()], ToolTimeout);
        Assert.True(code == 0, output);
        var rq = Assert.Single(server.Archive.Associations);
        Assert.Equal("ECHOER", rq.CallingAe);
        Assert.Equal("MIRC", rq.CalledAe);
        Assert.NotEmpty(rq.ImplementationClassUid);
    }

    [Fact]
    public async Task Unknown_calling_ae_is_rejected_permanent_service_user_reason_3()
    {
        await using var server = new TestServer();
        server.Archive.RequiredCallingAe = "GOOD";
        var (code, output) = await Dcmtk.RunAsync("echoscu", ["-v", "-aet", "BAD", "127.0.0.1", server.Port.ToString()], ToolTimeout);
        Assert.NotEqual(0, code);
        Assert.Contains("Calling AE Title Not Recognized", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", "-xi")]
    [InlineData("1.2.840.10008.1.2.1", "-xe")]
    public async Task Storescu_stores_several_files_streamed_in_their_transfer_syntax(string transferSyntax, string proposeOption)
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var files = new List<(string Path, string Uid, byte[] Bytes)>();
        for (var i = 0; i < 5; i++)
        {
            var uid = TestFiles.NewUid();
            var bytes = TestFiles.Create(uid, study, transferSyntax, pixelBytes: 20_000 * (i + 1), seed: (byte)(i + 3));
            var path = Path.Combine(_dir, $"f{i}.dcm");
            await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
            files.Add((path, uid, bytes));
        }
        var args = new List<string> { proposeOption, "-aet", "STORER", "-pdu", "16384", "127.0.0.1", server.Port.ToString() };
        args.AddRange(files.Select(f => f.Path));
        var (code, output) = await Dcmtk.RunAsync("storescu", args, ToolTimeout);
        Assert.True(code == 0, output);
        Assert.Equal(files.Count, server.Archive.Stored.Count);
        foreach (var f in files)
        {
            var stored = server.Archive.Stored[f.Uid];
            Assert.Equal(transferSyntax, stored.TransferSyntaxUid);
            Assert.Equal(TestFiles.SecondaryCapture, stored.SopClassUid);
            Assert.Equal(TestFiles.DataSetOf(f.Bytes), stored.DataSet);
        }
    }

    [Fact]
    public async Task Storescu_jpeg_lossless_file_is_stored_in_its_compressed_syntax()
    {
        await using var server = new TestServer();
        var uid = TestFiles.NewUid();
        var source = Path.Combine(_dir, "raw.dcm");
        var jpeg = Path.Combine(_dir, "jpeg.dcm");
        await File.WriteAllBytesAsync(source, TestFiles.Create(uid, TestFiles.NewUid(), DicomUids.ExplicitVRLittleEndian, pixelBytes: 8192), TestContext.Current.CancellationToken);
        var (c1, o1) = await Dcmtk.RunAsync("dcmcjpeg", [source, jpeg], ToolTimeout);
        Assert.True(c1 == 0, o1);
        var (code, output) = await Dcmtk.RunAsync("storescu", ["-xs", "127.0.0.1", server.Port.ToString(), jpeg], ToolTimeout);
        Assert.True(code == 0, output);
        var stored = server.Archive.Stored[uid];
        Assert.Equal(DicomUids.JPEGLosslessSV1, stored.TransferSyntaxUid);
        Assert.Equal(TestFiles.DataSetOf(await File.ReadAllBytesAsync(jpeg, TestContext.Current.CancellationToken)), stored.DataSet);
    }

    [Fact]
    public async Task Parallel_storescu_associations_are_all_served()
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var runs = new List<Task<(int, string)>>();
        var uids = new List<string>();
        for (var a = 0; a < 4; a++)
        {
            var args = new List<string> { "127.0.0.1", server.Port.ToString() };
            for (var i = 0; i < 3; i++)
            {
                var uid = TestFiles.NewUid();
                uids.Add(uid);
                var path = Path.Combine(_dir, $"p{a}_{i}.dcm");
                await File.WriteAllBytesAsync(path, TestFiles.Create(uid, study, DicomUids.ExplicitVRLittleEndian, pixelBytes: 4096), TestContext.Current.CancellationToken);
                args.Add(path);
            }
            runs.Add(Dcmtk.RunAsync("storescu", args, ToolTimeout));
        }
        foreach (var (code, output) in await Task.WhenAll(runs)) Assert.True(code == 0, output);
        Assert.All(uids, u => Assert.True(server.Archive.Stored.ContainsKey(u)));
        Assert.Equal(4, server.Archive.Associations.Count);
    }

    [Fact]
    public async Task Findscu_receives_every_pending_match()
    {
        await using var server = new TestServer();
        server.Archive.FindMatches = 4;
        var (code, output) = await Dcmtk.RunAsync("findscu",
            ["-v", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=P42", "-k", "StudyInstanceUID", "127.0.0.1", server.Port.ToString()], ToolTimeout);
        Assert.True(code == 0, output);
        Assert.Equal(4, CountOccurrences(output, "Find Response:"));
        Assert.Contains("1.2.3.4", output);
        Assert.Contains("P42", output);
    }

    [Fact]
    public async Task Getscu_receives_the_study_on_the_same_association()
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var expected = AddFiles(server.Archive, study, 3, DicomUids.ExplicitVRLittleEndian);
        AddFiles(server.Archive, TestFiles.NewUid(), 2, DicomUids.ExplicitVRLittleEndian); // other study: not retrieved
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "get")).FullName;
        var (code, output) = await Dcmtk.RunAsync("getscu",
            ["-v", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "-od", outDir, "127.0.0.1", server.Port.ToString()], ToolTimeout);
        Assert.True(code == 0, output);
        var received = Directory.GetFiles(outDir);
        Assert.Equal(3, received.Length);
        foreach (var (uid, bytes) in expected)
        {
            var file = Assert.Single(received, f => Path.GetFileName(f).Contains(uid, StringComparison.Ordinal));
            Assert.Equal(TestFiles.DataSetOf(bytes), TestFiles.DataSetOf(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
        }
    }

    [Fact]
    public async Task Movescu_pushes_the_study_to_a_dcmtk_storescp()
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        AddFiles(server.Archive, study, 3, DicomUids.ExplicitVRLittleEndian);
        var storePort = Dcmtk.FreePort();
        server.Archive.Destinations["DEST"] = new DicomRemoteNode("127.0.0.1", storePort, "DEST");
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "move")).FullName;
        using var storescp = Dcmtk.Start("storescp", ["-aet", "DEST", "-od", outDir, storePort.ToString()]);
        try
        {
            await Dcmtk.WaitListeningAsync(storePort, TimeSpan.FromSeconds(10));
            var (code, output) = await Dcmtk.RunAsync("movescu",
                ["-v", "-S", "-aem", "DEST", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", server.Port.ToString()], ToolTimeout);
            Assert.True(code == 0, output);
            Assert.Equal(3, Directory.GetFiles(outDir).Length);

            var (unknownCode, unknownOutput) = await Dcmtk.RunAsync("movescu",
                ["-v", "-S", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", server.Port.ToString()], ToolTimeout);
            Assert.Contains("MoveDestinationUnknown", unknownOutput, StringComparison.Ordinal);
        }
        finally
        {
            Dcmtk.Kill(storescp);
        }
    }

    [Fact]
    public async Task Move_reencodes_for_a_destination_accepting_implicit_only_and_counts_unsendable_instances()
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var sendable = AddFiles(server.Archive, study, 2, DicomUids.ExplicitVRLittleEndian);
        // Stored as MPEG-2 (contents do not matter: no codec converts it), which the destination refuses.
        var jpegUid = TestFiles.NewUid();
        server.Archive.AddFile(TestFiles.Create(jpegUid, study, DicomUids.ExplicitVRLittleEndian), jpegUid, study, DicomUids.MPEG2MPML);
        var storePort = Dcmtk.FreePort();
        server.Archive.Destinations["IMPLICIT"] = new DicomRemoteNode("127.0.0.1", storePort, "IMPLICIT");
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "implicit")).FullName;
        using var storescp = Dcmtk.Start("storescp", ["+xi", "-aet", "IMPLICIT", "-od", outDir, storePort.ToString()]);
        try
        {
            await Dcmtk.WaitListeningAsync(storePort, TimeSpan.FromSeconds(10));
            var ct = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
            await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
                [new(0, DicomUids.StudyRootQueryRetrieveInformationModelMove, [DicomUids.ExplicitVRLittleEndian])], ct: ct);
            var result = await client.MoveAsync(DicomUids.StudyRootQueryRetrieveInformationModelMove, "IMPLICIT",
                new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, study), ct: ct);
            await client.ReleaseAsync(ct);
            Assert.Equal(DimseStatus.Warning, result.Status);
            Assert.Equal(2, result.Completed);
            Assert.Equal(1, result.Failed);
            Assert.Equal([jpegUid], result.FailedSopInstanceUids);
            var received = Directory.GetFiles(outDir);
            Assert.Equal(2, received.Length);
            foreach (var (uid, bytes) in sendable)
            {
                var file = await DicomFileReader.ReadAsync(Assert.Single(received, f => f.Contains(uid, StringComparison.Ordinal)), cancellationToken: ct);
                Assert.Equal(DicomUids.ImplicitVRLittleEndian, file.TransferSyntax.Uid);
                var original = DicomDatasetReader.Read(TestFiles.DataSetOf(bytes), DicomTransferSyntax.ExplicitVRLittleEndian);
                Assert.Equal(original[DicomTag.PixelData]!.Buffer.ToArray(), file.Dataset[DicomTag.PixelData]!.Buffer.ToArray());
            }
        }
        finally
        {
            Dcmtk.Kill(storescp);
        }
    }

    internal static List<(string Uid, byte[] Bytes)> AddFiles(InMemoryArchive archive, string study, int count, string transferSyntax)
    {
        var result = new List<(string, byte[])>();
        for (var i = 0; i < count; i++)
        {
            var uid = TestFiles.NewUid();
            var bytes = TestFiles.Create(uid, study, transferSyntax, pixelBytes: 2048 * (i + 1), seed: (byte)(i + 7));
            archive.AddFile(bytes, uid, study, transferSyntax);
            result.Add((uid, bytes));
        }
        return result;
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
