using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Our client against dcmtk storescp and against our own server.</summary>
public sealed class ClientTests : IDisposable
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];
    private readonly string _dir = Directory.CreateTempSubdirectory("mirc-scu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Echo_and_store_to_dcmtk_storescp()
    {
        var port = Dcmtk.FreePort();
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName;
        using var storescp = Dcmtk.Start("storescp", ["-aet", "STORESCP", "-od", outDir, port.ToString()]);
        try
        {
            await Dcmtk.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
            var ct = Timeout();
            var files = Enumerable.Range(0, 3).Select(i =>
            {
                var uid = TestFiles.NewUid();
                var path = Path.Combine(_dir, $"{i}.dcm");
                File.WriteAllBytes(path, TestFiles.Create(uid, "1.2.3", i == 1 ? DicomUids.ImplicitVRLittleEndian : DicomUids.ExplicitVRLittleEndian, pixelBytes: 300_000));
                return (uid, path);
            }).ToList();
            await using var client = await DicomClient.ConnectAsync("127.0.0.1", port, "MIRCSCU", "STORESCP",
                [new(0, DicomUids.Verification, Uncompressed), new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]),
                 new(0, TestFiles.SecondaryCapture, [DicomUids.ImplicitVRLittleEndian])], ct: ct);
            Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
            foreach (var (_, path) in files) Assert.Equal(DimseStatus.Success, (await client.StoreAsync(path, ct)).Status);
            await client.ReleaseAsync(ct);

            var received = Directory.GetFiles(outDir);
            Assert.Equal(3, received.Length);
            foreach (var (uid, path) in files)
            {
                var file = Assert.Single(received, f => Path.GetFileName(f).Contains(uid, StringComparison.Ordinal));
                Assert.Equal(TestFiles.DataSetOf(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken)), TestFiles.DataSetOf(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
            }
        }
        finally
        {
            Dcmtk.Kill(storescp);
        }
    }

    [Fact]
    public async Task Store_find_get_move_against_our_server()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        await using var destination = new TestServer();
        server.Archive.Destinations["DEST"] = new DicomRemoteNode("127.0.0.1", destination.Port, "DEST");
        var study = TestFiles.NewUid();
        var files = ServerWithDcmtkTests.AddFiles(server.Archive, study, 4, DicomUids.ExplicitVRLittleEndian);

        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [
                new(0, DicomUids.Verification, Uncompressed),
                new(0, TestFiles.SecondaryCapture, Uncompressed) { RequestorScuRole = true, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelFind, Uncompressed),
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed),
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelMove, Uncompressed),
            ], ct: ct);
        Assert.All(client.PresentationContexts, c => Assert.True(c.IsAccepted));
        Assert.True(client.PresentationContexts.Single(c => c.AbstractSyntax == TestFiles.SecondaryCapture).RequestorIsScp);

        // C-STORE
        var storedUid = TestFiles.NewUid();
        var part10 = TestFiles.Create(storedUid, study, DicomUids.ExplicitVRLittleEndian);
        Assert.Equal(DimseStatus.Success, (await client.StoreAsync(new MemoryStream(part10), ct)).Status);
        Assert.Equal(TestFiles.DataSetOf(part10), server.Archive.Stored[storedUid].DataSet);

        // C-FIND
        var query = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.PatientID, "P7").Set(DicomTag.StudyInstanceUID, "");
        var matches = new List<string?>();
        await foreach (var m in client.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind, query, ct))
        {
            Assert.Equal("P7", m.GetStringOrDefault(DicomTag.PatientID));
            matches.Add(m.GetStringOrDefault(DicomTag.StudyInstanceUID));
        }
        Assert.Equal(["1.2.3.1", "1.2.3.2", "1.2.3.3"], matches);

        // C-GET: instances come back on this association
        var got = new Dictionary<string, byte[]>();
        var studyQuery = StudyQuery(study);
        var progress = new List<DicomRetrieveResult>();
        var get = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, studyQuery, async (rq, stream, token) =>
        {
            var ms = new MemoryStream();
            await stream.CopyToAsync(ms, token);
            lock (got) got[rq.SopInstanceUid] = ms.ToArray();
            return DimseResult.Success;
        }, new SynchronousProgress(progress), ct);
        Assert.Equal(DimseStatus.Success, get.Status);
        Assert.Equal(4, get.Completed);
        Assert.Equal(0, get.Failed);
        Assert.Equal(4, got.Count);
        foreach (var (uid, bytes) in files) Assert.Equal(TestFiles.DataSetOf(bytes), got[uid]);
        Assert.Equal(3, progress.Count); // pending after each sub-operation but the last

        // C-MOVE to a second server of ours
        var moved = await client.MoveAsync(DicomUids.StudyRootQueryRetrieveInformationModelMove, "DEST", studyQuery, ct: ct);
        Assert.Equal(DimseStatus.Success, moved.Status);
        Assert.Equal(4, moved.Completed);
        foreach (var (uid, bytes) in files)
        {
            Assert.Equal(TestFiles.DataSetOf(bytes), destination.Archive.Stored[uid].DataSet);
            Assert.Equal("MIRC", destination.Archive.Stored[uid].CallingAe);
        }

        var unknown = await client.MoveAsync(DicomUids.StudyRootQueryRetrieveInformationModelMove, "NOWHERE", studyQuery, ct: ct);
        Assert.Equal(DimseStatus.MoveDestinationUnknown, unknown.Status);

        Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Get_counts_failures_and_reports_failed_instance_list()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var files = ServerWithDcmtkTests.AddFiles(server.Archive, study, 3, DicomUids.ExplicitVRLittleEndian);
        // One instance stored in a syntax the peer did not accept and no codec converts (MPEG-2): cannot be sent.
        var jpegUid = TestFiles.NewUid();
        server.Archive.AddFile(TestFiles.Create(jpegUid, study, DicomUids.ExplicitVRLittleEndian), jpegUid, study, DicomUids.MPEG2MPML);

        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [
                new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, [DicomUids.ImplicitVRLittleEndian]),
            ], ct: ct);
        var query = StudyQuery(study);
        var refused = files[1].Uid;
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, query, async (rq, stream, token) =>
        {
            await stream.CopyToAsync(Stream.Null, token);
            return rq.SopInstanceUid == refused ? DimseStatus.OutOfResources : DimseStatus.Success;
        }, ct: ct);
        Assert.Equal(DimseStatus.Warning, result.Status);
        Assert.Equal(2, result.Completed);
        Assert.Equal(2, result.Failed);
        Assert.Equal(new[] { jpegUid, refused }.Order(), result.FailedSopInstanceUids.Order());
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Find_cancellation_sends_c_cancel_and_stops_the_handler()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        server.Archive.FindMatches = 1000;
        server.Archive.FindDelay = TimeSpan.FromMilliseconds(20);
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, DicomUids.StudyRootQueryRetrieveInformationModelFind, Uncompressed), new(0, DicomUids.Verification, Uncompressed)], ct: ct);
        var query = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var count = 0;
        await foreach (var _ in client.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind, query, stop.Token))
        {
            if (++count == 3) stop.Cancel();
        }
        Assert.Equal(3, count);
        // The association is still usable once the SCP answered FE00.
        Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task User_identity_is_exposed_and_answered()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        server.Archive.RequiredCredentials = ("alice", "s3cret");
        var options = new DicomClientOptions { UserIdentity = new UserIdentity(UserIdentityType.UsernameAndPasscode, "alice", "s3cret", true) };
        await using (var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], options, ct: ct))
        {
            Assert.NotNull(client.Accept.UserIdentityServerResponse);
            Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
            await client.ReleaseAsync(ct);
        }
        var seen = server.Archive.Associations.Last().UserIdentity;
        Assert.Equal(new UserIdentity(UserIdentityType.UsernameAndPasscode, "alice", "s3cret", true), seen);

        var wrong = new DicomClientOptions { UserIdentity = new UserIdentity(UserIdentityType.UsernameAndPasscode, "alice", "nope", true) };
        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() => DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], wrong, ct: ct));
        Assert.Equal(AssociationRejection.NoReason, ex.Rejection);

        var jwt = new DicomClientOptions { UserIdentity = new UserIdentity(UserIdentityType.Jwt, "eyJhbGciOi.x.y", "", false) };
        server.Archive.RequiredCredentials = null;
        await using (var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], jwt, ct: ct))
        {
            Assert.Null(client.Accept.UserIdentityServerResponse); // no positive response requested
            await client.ReleaseAsync(ct);
        }
        Assert.Equal(UserIdentityType.Jwt, server.Archive.Associations.Last().UserIdentity!.Type);
        Assert.Equal("eyJhbGciOi.x.y", server.Archive.Associations.Last().UserIdentity!.PrimaryField);
    }

    [Fact]
    public async Task Rejected_contexts_and_calling_ae_are_reported()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        await using (var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, "1.2.3.4.5.6", Uncompressed), new(0, DicomUids.Verification, ["1.2.840.10008.1.2.4.50"]), new(0, DicomUids.Verification, Uncompressed)], ct: ct))
        {
            Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, client.PresentationContexts[0].Result);
            Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, client.PresentationContexts[1].Result);
            Assert.Equal(DicomUids.ExplicitVRLittleEndian, client.PresentationContexts[2].TransferSyntax);
            await client.ReleaseAsync(ct);
        }
        server.Archive.RequiredCallingAe = "ONLYME";
        var ex = await Assert.ThrowsAsync<DicomAssociationException>(() => DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], ct: ct));
        Assert.Equal(AssociationRejection.CallingAeNotRecognized, ex.Rejection);
    }

    [Fact]
    public async Task Get_reencodes_implicit_to_explicit_when_the_peer_refuses_the_stored_syntax()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var files = ServerWithDcmtkTests.AddFiles(server.Archive, study, 2, DicomUids.ImplicitVRLittleEndian);
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [
                new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed),
            ], ct: ct);
        var got = new Dictionary<string, (string Ts, byte[] Bytes)>();
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, StudyQuery(study), async (rq, stream, token) =>
        {
            var ms = new MemoryStream();
            await stream.CopyToAsync(ms, token);
            got[rq.SopInstanceUid] = (rq.TransferSyntaxUid, ms.ToArray());
            return DimseResult.Success;
        }, ct: ct);
        Assert.Equal(DimseStatus.Success, result.Status);
        Assert.Equal(2, result.Completed);
        foreach (var (uid, bytes) in files)
        {
            var (ts, received) = got[uid];
            Assert.Equal(DicomUids.ExplicitVRLittleEndian, ts);
            var original = DicomDatasetReader.Read(TestFiles.DataSetOf(bytes), DicomTransferSyntax.ImplicitVRLittleEndian);
            var reencoded = DicomDatasetReader.Read(received, DicomTransferSyntax.ExplicitVRLittleEndian);
            Assert.Equal(uid, reencoded.GetString(DicomTag.SOPInstanceUID));
            Assert.Equal(original.Count, reencoded.Count);
            Assert.Equal(original[DicomTag.PixelData]!.Buffer.ToArray(), reencoded[DicomTag.PixelData]!.Buffer.ToArray());
        }
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Store_refused_without_reading_a_large_dataset_keeps_the_association_usable()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        var uid = TestFiles.NewUid();
        server.Archive.RefuseUnread = uid;
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]), new(0, DicomUids.Verification, Uncompressed)], ct: ct);
        var big = TestFiles.Create(uid, "1.2.3", DicomUids.ExplicitVRLittleEndian, pixelBytes: 6 * 1024 * 1024);
        var refused = await client.StoreAsync(new MemoryStream(big), ct);
        Assert.Equal(DimseStatus.OutOfResources, refused.Status);
        Assert.Equal("refused", refused.ErrorComment);
        var other = TestFiles.NewUid();
        Assert.Equal(DimseStatus.Success, (await client.StoreAsync(new MemoryStream(TestFiles.Create(other, "1.2.3", DicomUids.ExplicitVRLittleEndian)), ct)).Status);
        Assert.True(server.Archive.Stored.ContainsKey(other));
        Assert.False(server.Archive.Stored.ContainsKey(uid));
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Small_pdu_limits_fragment_both_directions()
    {
        var ct = Timeout();
        await using var server = new TestServer(new DicomServerOptions { MaxPduLength = 4096 });
        var study = TestFiles.NewUid();
        var files = ServerWithDcmtkTests.AddFiles(server.Archive, study, 2, DicomUids.ExplicitVRLittleEndian);
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [
                new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = true, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed),
            ], new DicomClientOptions { MaxPduLength = 4096 }, ct: ct);
        Assert.Equal(4096u, client.Accept.MaxPduLength);
        var uid = TestFiles.NewUid();
        var big = TestFiles.Create(uid, study, DicomUids.ExplicitVRLittleEndian, pixelBytes: 100_000);
        Assert.Equal(DimseStatus.Success, (await client.StoreAsync(new MemoryStream(big), ct)).Status);
        Assert.Equal(TestFiles.DataSetOf(big), server.Archive.Stored[uid].DataSet);
        var got = new Dictionary<string, byte[]>();
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, StudyQuery(study), async (rq, stream, token) =>
        {
            var ms = new MemoryStream();
            await stream.CopyToAsync(ms, token);
            got[rq.SopInstanceUid] = ms.ToArray();
            return DimseResult.Success;
        }, ct: ct);
        Assert.Equal(2, result.Completed);
        foreach (var (fileUid, bytes) in files) Assert.Equal(TestFiles.DataSetOf(bytes), got[fileUid]);
        await client.ReleaseAsync(ct);
    }

    [Fact]
    public async Task Get_cancellation_stops_sub_operations_with_fe00()
    {
        var ct = Timeout();
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        ServerWithDcmtkTests.AddFiles(server.Archive, study, 20, DicomUids.ExplicitVRLittleEndian);
        // Paced sub-operations: on a fast machine the server could otherwise send all 20 before the C-CANCEL arrives.
        server.Archive.SubOperationDelay = TimeSpan.FromMilliseconds(20);
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [
                new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed),
                new(0, DicomUids.Verification, Uncompressed),
            ], ct: ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var received = 0;
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, StudyQuery(study), async (rq, stream, token) =>
        {
            await stream.CopyToAsync(Stream.Null, token);
            if (Interlocked.Increment(ref received) == 3) stop.Cancel();
            return DimseResult.Success;
        }, ct: stop.Token);
        Assert.Equal(DimseStatus.Cancel, result.Status);
        Assert.InRange(result.Completed, 3, 19);
        Assert.Equal(result.Completed, received);
        Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
        await client.ReleaseAsync(ct);
    }

    private static DicomDataset StudyQuery(string study) =>
        new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, study);

    private sealed class SynchronousProgress(List<DicomRetrieveResult> sink) : IProgress<DicomRetrieveResult>
    {
        public void Report(DicomRetrieveResult value) => sink.Add(value);
    }
}
