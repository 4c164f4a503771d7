using System.Net;
using System.Runtime.CompilerServices;
using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;
using Mirc.Bench.Dimse;
using Mirc.Bench.Measurement;
using Mirc.Dicom;
using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Bench.Tests;

/// <summary>Drives a small in-process archive SCP on loopback with the benchmark's DIMSE driver.</summary>
public sealed class DimseDriverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly BenchStudy _study = new SyntheticStudyFactory("dimse").Create(new SyntheticStudySpec("ct", "DUPONT^Hélène", "P1",
        [new SyntheticSeriesSpec("CT", SyntheticSeriesSpec.CtImageStorage, 16, 16, 16, 6)]));
    private readonly FakeArchive _archive = new();
    private DicomServer _server = null!;
    private MoveReceiver _receiver = null!;

    public ValueTask InitializeAsync()
    {
        _receiver = MoveReceiver.Start([SyntheticSeriesSpec.CtImageStorage], 0);
        _archive.MoveDestinationPort = _receiver.Port;
        _server = new DicomServer(_archive);
        _server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private DimseDriver Driver() => new(new DimseTarget("127.0.0.1", _server.LocalEndPoint.Port, "ARCHIVE", "BENCH"), Timeout);

    [Fact]
    public async Task Stores_over_parallel_associations_then_finds_gets_and_moves_the_study()
    {
        var ct = TestContext.Current.CancellationToken;
        var driver = Driver();
        var recorder = new OperationRecorder("store", "test", _study.Instances.Count);

        await driver.StoreAsync(_study.Instances, 3, recorder, ct);
        var stored = recorder.Complete();

        Assert.Equal(0, stored.Failures);
        Assert.Equal(6, stored.Images);
        Assert.Equal(_study.Instances.Sum(i => (long)i.Dataset.Length), stored.Bytes);
        Assert.Equal(_study.Instances.Select(i => i.SopInstanceUid).Order(), _archive.Stored.Keys.Order());
        Assert.Equal(3, _archive.Associations);

        await using (var client = await driver.ConnectForFindAsync(ct))
        {
            await driver.FindStudiesAsync(client, "P1", 1, ct);
            await Assert.ThrowsAsync<InvalidOperationException>(() => driver.FindStudiesAsync(client, "P1", 2, ct));
            await client.ReleaseAsync(ct);
        }

        var (got, gotBytes) = await driver.GetStudyAsync(_study, ct);
        Assert.Equal(6, got);
        Assert.True(gotBytes >= 6 * 16 * 16 * 2, $"C-GET moved only {gotBytes} bytes");

        var (moved, _) = await driver.MoveStudyAsync(_study, "BENCHRCV", _receiver, ct);
        Assert.Equal(6, moved);
        Assert.Equal(6, _receiver.Instances);
    }

    /// <summary>Keeps what it receives in memory; answers C-FIND/C-GET/C-MOVE from it.</summary>
    private sealed class FakeArchive : IDicomServiceHandler
    {
        private int _associations;

        public Dictionary<string, (string SopClass, byte[] Dataset)> Stored { get; } = [];

        public int Associations => Volatile.Read(ref _associations);

        public int MoveDestinationPort { get; set; }

        public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref _associations);
            var policy = new PresentationContextPolicy()
                .Add(SyntheticSeriesSpec.CtImageStorage, QueryRetrieve.UncompressedSyntaxes, allowRequestorScp: true)
                .AddRange([QueryRetrieve.StudyRootFind, QueryRetrieve.StudyRootGet, QueryRetrieve.StudyRootMove], QueryRetrieve.UncompressedSyntaxes);
            return ValueTask.FromResult(AssociationDecision.Accept(policy));
        }

        public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
        {
            using var copy = new MemoryStream();
            await dataSet.CopyToAsync(copy, ct);
            lock (Stored) Stored[request.SopInstanceUid] = (request.SopClassUid, copy.ToArray());
            return DimseResult.Success;
        }

        public async IAsyncEnumerable<DicomDataset> OnCFindAsync(DicomServiceContext context, DicomQueryRequest request, [EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            if (request.Identifier.GetStringOrDefault(DicomTag.PatientID) == "P1" && Stored.Count > 0)
            {
                yield return new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.PatientID, "P1").Set(DicomTag.StudyInstanceUID, "1.2.3");
            }
        }

        public IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) => Sources();

        public IAsyncEnumerable<DicomInstanceSource> OnCMoveAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) => Sources();

        public ValueTask<DicomRemoteNode?> ResolveMoveDestinationAsync(DicomServiceContext context, string aeTitle, CancellationToken ct) =>
            ValueTask.FromResult<DicomRemoteNode?>(aeTitle == "BENCHRCV" ? new DicomRemoteNode("127.0.0.1", MoveDestinationPort, aeTitle) : null);

        private async IAsyncEnumerable<DicomInstanceSource> Sources()
        {
            await Task.Yield();
            foreach (var (uid, (sopClass, dataset)) in Stored)
            {
                // Re-wrap the stored data set as a Part 10 file, as an archive would keep it.
                var file = DicomFileWriter.Write(new DicomFile(DicomDatasetReader.Read((ReadOnlyMemory<byte>)dataset, DicomTransferSyntax.ExplicitVRLittleEndian), DicomTransferSyntax.ExplicitVRLittleEndian));
                yield return new DicomInstanceSource(sopClass, uid, DicomUids.ExplicitVRLittleEndian, _ => ValueTask.FromResult<Stream>(new MemoryStream(file)));
            }
        }
    }
}
