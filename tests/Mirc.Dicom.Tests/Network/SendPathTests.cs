using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>The sending side: streams of unknown length, prefetch of C-GET sub-operations, failures and cleanup.</summary>
public sealed class SendPathTests
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    [Fact]
    public async Task Non_seekable_part10_stream_is_sent_byte_exact_in_small_pdus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new TestServer(new DicomServerOptions { MaxPduLength = 4096 });
        var uid = TestFiles.NewUid();
        var part10 = TestFiles.Create(uid, TestFiles.NewUid(), DicomUids.ExplicitVRLittleEndian, pixelBytes: 50_000, seed: 3);
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
            [new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian])], new DicomClientOptions { MaxPduLength = 4096 }, ct: ct);
        var result = await client.StoreAsync(new ForwardOnlyStream(part10), ct);
        Assert.Equal(DimseStatus.Success, result.Status);
        Assert.Equal(TestFiles.DataSetOf(part10), server.Archive.Stored[uid].DataSet);
        await client.ReleaseAsync(ct);
    }

    [Theory]
    [InlineData(4096u)]
    [InlineData(262144u)]
    public async Task Part10_file_is_sent_byte_exact_with_scattered_reads(uint maxPdu)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new TestServer(new DicomServerOptions { MaxPduLength = maxPdu });
        var uid = TestFiles.NewUid();
        var part10 = TestFiles.Create(uid, TestFiles.NewUid(), DicomUids.ExplicitVRLittleEndian, pixelBytes: 1_500_000, seed: 5);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, part10, ct);
            await using var client = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRC",
                [new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian])], new DicomClientOptions { MaxPduLength = maxPdu }, ct: ct);
            Assert.Equal(DimseStatus.Success, (await client.StoreAsync(path, ct)).Status);
            Assert.Equal(TestFiles.DataSetOf(part10), server.Archive.Stored[uid].DataSet);
            await client.ReleaseAsync(ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Get_with_prefetch_sends_every_instance_in_order_and_reports_the_one_that_cannot_be_opened()
    {
        var ct = TestContext.Current.CancellationToken;
        var handler = new CountingArchive(count: 25, unreadable: 7);
        await using var server = new DicomServer(handler, new DicomServerOptions { RetrievePrefetch = 4, MaxPduLength = 16384 });
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = await ConnectForGetAsync(server.LocalEndPoint.Port, ct);
        var order = new List<string>();
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, Query(), async (rq, stream, token) =>
        {
            var ms = new MemoryStream();
            await stream.CopyToAsync(ms, token);
            Assert.Equal(TestFiles.DataSetOf(handler.Files[rq.SopInstanceUid]), ms.ToArray());
            order.Add(rq.SopInstanceUid);
            return DimseResult.Success;
        }, ct: ct);
        Assert.Equal(DimseStatus.Warning, result.Status);
        Assert.Equal(24, result.Completed);
        Assert.Equal(1, result.Failed);
        Assert.Equal([handler.Uids[7]], result.FailedSopInstanceUids);
        Assert.Equal(handler.Uids.Where((_, i) => i != 7), order);
        await client.ReleaseAsync(ct);
        Assert.Equal(24, handler.Opened.Count);
        Assert.All(handler.Opened, s => Assert.True(s.Disposed));
    }

    [Fact]
    public async Task Cancelled_get_closes_the_instances_opened_ahead()
    {
        var ct = TestContext.Current.CancellationToken;
        var handler = new CountingArchive(count: 30, unreadable: -1, pace: TimeSpan.FromMilliseconds(10));
        await using var server = new DicomServer(handler, new DicomServerOptions { RetrievePrefetch = 6 });
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = await ConnectForGetAsync(server.LocalEndPoint.Port, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var received = 0;
        var result = await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, Query(), async (rq, stream, token) =>
        {
            await stream.CopyToAsync(Stream.Null, token);
            if (++received == 2) stop.Cancel();
            return DimseResult.Success;
        }, ct: stop.Token);
        Assert.Equal(DimseStatus.Cancel, result.Status);
        await client.ReleaseAsync(ct);
        // Opened = sent + prefetched; the prefetch is bounded and everything opened is closed again.
        Assert.InRange(handler.Opened.Count, result.Completed, result.Completed + 6 + 1);
        Assert.True(handler.Opened.Count < 30);
        Assert.All(handler.Opened, s => Assert.True(s.Disposed));
    }

    private static Task<DicomClient> ConnectForGetAsync(int port, CancellationToken ct) =>
        DicomClient.ConnectAsync("127.0.0.1", port, "SCU", "MIRC",
            [
                new(0, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
                new(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed),
            ], ct: ct);

    private static DicomDataset Query() =>
        new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, "1.2.3");

    /// <summary>A stream that can only be read forward (no length): exercises the look-ahead fragmenting path.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }

    /// <summary>Memory stream that remembers it was disposed.</summary>
    private sealed class TrackedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>Serves <c>count</c> instances for any C-GET; instance number <c>unreadable</c> fails to open.</summary>
    private sealed class CountingArchive : IDicomServiceHandler
    {
        public CountingArchive(int count, int unreadable, TimeSpan pace = default)
        {
            Pace = pace;
            for (var i = 0; i < count; i++)
            {
                var uid = TestFiles.NewUid();
                Uids.Add(uid);
                Files[uid] = TestFiles.Create(uid, "1.2.3", DicomUids.ExplicitVRLittleEndian, pixelBytes: 20_000, seed: (byte)(i + 1));
            }
            Unreadable = unreadable;
        }

        public List<string> Uids { get; } = [];
        public Dictionary<string, byte[]> Files { get; } = [];
        public ConcurrentBag<TrackedStream> Opened { get; } = [];
        private int Unreadable { get; }

        // Pause before each sub-operation: lets a C-CANCEL arrive before the server has sent everything.
        private TimeSpan Pace { get; }

        public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct) =>
            ValueTask.FromResult(AssociationDecision.Accept(new PresentationContextPolicy()
                .Add(TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian], allowRequestorScp: true)
                .Add(DicomUids.StudyRootQueryRetrieveInformationModelGet, Uncompressed)));

        public async IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request,
            [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            for (var i = 0; i < Uids.Count; i++)
            {
                var uid = Uids[i];
                var unreadable = i == Unreadable;
                if (Pace > TimeSpan.Zero) await Task.Delay(Pace, ct);
                yield return new DicomInstanceSource(TestFiles.SecondaryCapture, uid, DicomUids.ExplicitVRLittleEndian, async token =>
                {
                    await Task.Yield();
                    if (unreadable) throw new IOException("blob missing");
                    var stream = new TrackedStream(Files[uid]);
                    Opened.Add(stream);
                    return stream;
                });
            }
        }
    }
}
