using System.Net;

namespace Mirc.Dicom.Network;

/// <summary>
/// The application behind a <see cref="DicomServer"/>. Only the association decision is mandatory; every service
/// has a default answering "not supported" so an application implements what it offers.
/// </summary>
public interface IDicomServiceHandler
{
    /// <summary>Accept (with the supported contexts) or reject an A-ASSOCIATE-RQ.</summary>
    ValueTask<AssociationDecision> OnAssociationRequestAsync(AssociationRequest request, CancellationToken ct);

    /// <summary>C-ECHO: returns the status.</summary>
    ValueTask<DimseResult> OnCEchoAsync(DicomServiceContext context, CancellationToken ct) => ValueTask.FromResult(DimseResult.Success);

    /// <summary>
    /// C-STORE. <paramref name="dataSet"/> is fed from P-DATA fragments as they arrive (never buffered whole) and is
    /// encoded in <see cref="CStoreRequest.TransferSyntaxUid"/> without File Meta; it throws <see cref="IOException"/>
    /// if the association breaks, in which case nothing may be kept. Return only once the instance is durable.
    /// </summary>
    ValueTask<DimseResult> OnCStoreAsync(DicomServiceContext context, CStoreRequest request, Stream dataSet, CancellationToken ct) =>
        ValueTask.FromResult<DimseResult>(DimseStatus.SopClassNotSupported);

    /// <summary>
    /// C-FIND: yields each match; every item is sent as a pending (FF00) response, then success.
    /// <paramref name="ct"/> is cancelled by C-CANCEL (final status FE00). Throw <see cref="DimseServiceException"/>
    /// for a specific failure status (e.g. A900 identifier does not match SOP class).
    /// </summary>
    IAsyncEnumerable<DicomDataset> OnCFindAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        throw new DimseServiceException(DimseStatus.SopClassNotSupported, "C-FIND not supported");

    /// <summary>C-GET: the instances to send back on this association (C-STORE sub-operations).</summary>
    IAsyncEnumerable<DicomInstanceSource> OnCGetAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        throw new DimseServiceException(DimseStatus.SopClassNotSupported, "C-GET not supported");

    /// <summary>C-MOVE: the instances to push to <see cref="DicomQueryRequest.MoveDestination"/>.</summary>
    IAsyncEnumerable<DicomInstanceSource> OnCMoveAsync(DicomServiceContext context, DicomQueryRequest request, CancellationToken ct) =>
        throw new DimseServiceException(DimseStatus.SopClassNotSupported, "C-MOVE not supported");

    /// <summary>
    /// A TLS handshake on a TLS endpoint failed (protocol or cipher refused, client certificate missing or untrusted,
    /// nothing within the ARTIM timer). The connection is already closed; for the application's audit trail, which
    /// must bound what a flood of such connections writes.
    /// </summary>
    ValueTask OnTlsHandshakeFailedAsync(IPEndPoint remote, string reason, CancellationToken ct) => ValueTask.CompletedTask;

    /// <summary>Resolves a C-MOVE destination AE title; null = unknown (status A801).</summary>
    ValueTask<DicomRemoteNode?> ResolveMoveDestinationAsync(DicomServiceContext context, string aeTitle, CancellationToken ct) =>
        ValueTask.FromResult<DicomRemoteNode?>(null);
}

/// <summary>Thrown by a service handler to answer with a specific failure status.</summary>
public sealed class DimseServiceException(ushort status, string message) : Exception(message)
{
    /// <summary>The DIMSE status to return.</summary>
    public ushort Status { get; } = status;
}
