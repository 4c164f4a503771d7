using System.Net;

namespace Mirc.Dicom.Network;

/// <summary>What a service handler knows about the association a request arrived on.</summary>
public sealed class DicomServiceContext
{
    /// <summary>Calling AE title of the peer.</summary>
    public required string CallingAe { get; init; }
    /// <summary>Called AE title (ours, as addressed by the peer).</summary>
    public required string CalledAe { get; init; }
    /// <summary>Remote TCP endpoint.</summary>
    public EndPoint? RemoteEndPoint { get; init; }
    /// <summary>User identity the peer sent, if any (already accepted by the association handler).</summary>
    public UserIdentity? UserIdentity { get; init; }
    /// <summary>State returned by the application in <see cref="AssociationDecision.Accept"/>.</summary>
    public object? ApplicationState { get; init; }
    /// <summary>Negotiated presentation contexts.</summary>
    public required IReadOnlyList<NegotiatedPresentationContext> PresentationContexts { get; init; }
    /// <summary>The TLS session of the association; null on plain TCP.</summary>
    public TlsSession? Tls { get; init; }
}

/// <summary>A DIMSE status with optional error comment (0000,0902).</summary>
/// <param name="Status">Status code, see <see cref="DimseStatus"/>.</param>
/// <param name="ErrorComment">Short explanation for failures (64 characters max on the wire).</param>
public readonly record struct DimseResult(ushort Status, string? ErrorComment = null)
{
    /// <summary>0000 Success.</summary>
    public static DimseResult Success => new(DimseStatus.Success);

    /// <summary>Wraps a bare status.</summary>
    public static implicit operator DimseResult(ushort status) => new(status);
}

/// <summary>A C-STORE-RQ as seen by the storage handler.</summary>
public sealed class CStoreRequest
{
    /// <summary>Affected SOP Class UID.</summary>
    public required string SopClassUid { get; init; }
    /// <summary>Affected SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }
    /// <summary>Transfer syntax of the dataset stream (the presentation context's).</summary>
    public required string TransferSyntaxUid { get; init; }
    /// <summary>Message ID.</summary>
    public ushort MessageId { get; init; }
    /// <summary>Priority (0 medium, 1 high, 2 low).</summary>
    public ushort Priority { get; init; }
    /// <summary>Move Originator AE title when the store is a C-MOVE sub-operation.</summary>
    public string? MoveOriginatorAe { get; init; }
    /// <summary>Move Originator Message ID when the store is a C-MOVE sub-operation.</summary>
    public ushort? MoveOriginatorMessageId { get; init; }
}

/// <summary>A C-FIND, C-MOVE or C-GET request: the query/retrieve information model and the identifier.</summary>
public sealed class DicomQueryRequest
{
    /// <summary>Affected SOP Class UID (information model, e.g. Study Root FIND).</summary>
    public required string SopClassUid { get; init; }
    /// <summary>The identifier (query keys / retrieve keys), decoded.</summary>
    public required DicomDataset Identifier { get; init; }
    /// <summary>Transfer syntax of the presentation context (responses are encoded in it).</summary>
    public required string TransferSyntaxUid { get; init; }
    /// <summary>Message ID.</summary>
    public ushort MessageId { get; init; }
    /// <summary>Priority.</summary>
    public ushort Priority { get; init; }
    /// <summary>C-MOVE destination AE title; null for C-FIND and C-GET.</summary>
    public string? MoveDestination { get; init; }
}

/// <summary>
/// One stored instance to send for C-GET / C-MOVE (or a push): metadata plus a way to open the stored Part 10 file.
/// The network layer skips the File Meta and sends the dataset in the negotiated transfer syntax.
/// </summary>
/// <param name="SopClassUid">SOP Class UID.</param>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
/// <param name="TransferSyntaxUid">Transfer syntax the file's dataset is encoded in.</param>
/// <param name="OpenAsync">Opens a fresh read stream over the Part 10 file (preamble, DICM, File Meta, dataset).</param>
public sealed record DicomInstanceSource(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid,
    Func<CancellationToken, ValueTask<Stream>> OpenAsync);

/// <summary>Network address of a DICOM application entity (C-MOVE destination).</summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="AeTitle">Called AE title.</param>
/// <param name="Tls">Connect over TLS with these options (PS3.15 Annex B); null: plain TCP.</param>
public sealed record DicomRemoteNode(string Host, int Port, string AeTitle, System.Net.Security.SslClientAuthenticationOptions? Tls = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{AeTitle}@{Host}:{Port}{(Tls is null ? "" : " (TLS)")}";
}

/// <summary>Final counts of a C-MOVE / C-GET.</summary>
/// <param name="Status">Final status.</param>
/// <param name="Completed">Sub-operations completed.</param>
/// <param name="Failed">Sub-operations failed.</param>
/// <param name="Warning">Sub-operations completed with warning.</param>
/// <param name="FailedSopInstanceUids">Failed SOP Instance UID List (0008,0058) when reported.</param>
public sealed record DicomRetrieveResult(ushort Status, int Completed, int Failed, int Warning, IReadOnlyList<string> FailedSopInstanceUids);
