using System.Net;
using Mirc.Dicom;
using Mirc.Dicom.Network;

namespace Mirc.Bench.Dimse;

/// <summary>
/// The benchmark's own C-STORE SCP, the destination of its C-MOVE requests: accepts the given storage SOP classes from
/// anyone, drains every instance and counts instances and bytes.
/// </summary>
public sealed class MoveReceiver : IDicomServiceHandler, IAsyncDisposable
{
    private readonly PresentationContextPolicy _policy;
    private readonly DicomServer _server;
    private long _instances;
    private long _bytes;

    private MoveReceiver(IEnumerable<string> storageSopClasses)
    {
        _policy = new PresentationContextPolicy()
            .AddRange(storageSopClasses.Distinct(), QueryRetrieve.UncompressedSyntaxes)
            .Add(DicomUids.Verification, QueryRetrieve.UncompressedSyntaxes);
        _server = new DicomServer(this, new DicomServerOptions { MaxAssociations = 64 });
    }

    /// <summary>Port it listens on.</summary>
    public int Port => _server.LocalEndPoint.Port;

    /// <summary>Instances received so far.</summary>
    public long Instances => Interlocked.Read(ref _instances);

    /// <summary>Data set bytes received so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Starts listening on loopback at <paramref name="port"/> (0: any free port).</summary>
    public static MoveReceiver Start(IEnumerable<string> storageSopClasses, int port)
    {
        var receiver = new MoveReceiver(storageSopClasses);
        receiver._server.Start(new IPEndPoint(IPAddress.Loopback, port));
        return receiver;
    }

    /// <inheritdoc />
    public ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct) =>
        ValueTask.FromResult(AssociationDecision.Accept(_policy));

    /// <inheritdoc />
    public async ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct)
    {
        var length = await CountingSink.DrainAsync(dataSet, ct).ConfigureAwait(false);
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _instances);
        return DimseResult.Success;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
