using System.Net;

namespace Mirc.Dicom.Network;

/// <summary>An A-ASSOCIATE-RQ as received by the server (or as sent by the client).</summary>
public sealed class AssociationRequest
{
    /// <summary>Calling AE title (the requestor), trimmed.</summary>
    public required string CallingAe { get; init; }
    /// <summary>Called AE title (us), trimmed.</summary>
    public required string CalledAe { get; init; }
    /// <summary>Remote TCP endpoint of the requestor; null on the client side.</summary>
    public EndPoint? RemoteEndPoint { get; init; }
    /// <summary>Proposed presentation contexts.</summary>
    public required IReadOnlyList<PresentationContextProposal> PresentationContexts { get; init; }
    /// <summary>Maximum P-DATA-TF PDU length the requestor can receive; 0 = unlimited.</summary>
    public uint MaxPduLength { get; init; }
    /// <summary>Requestor's Implementation Class UID.</summary>
    public string ImplementationClassUid { get; init; } = "";
    /// <summary>Requestor's Implementation Version Name.</summary>
    public string ImplementationVersionName { get; init; } = "";
    /// <summary>User identity when the requestor sent one.</summary>
    public UserIdentity? UserIdentity { get; init; }
    /// <summary>The TLS session the request arrived on; null on a plain TCP connection (and on the client side).</summary>
    public TlsSession? Tls { get; init; }
}

/// <summary>An A-ASSOCIATE-AC: the acceptor's answer.</summary>
public sealed class AssociationAccept
{
    /// <summary>Calling AE title echoed.</summary>
    public required string CallingAe { get; init; }
    /// <summary>Called AE title echoed.</summary>
    public required string CalledAe { get; init; }
    /// <summary>Result per proposed context.</summary>
    public required IReadOnlyList<NegotiatedPresentationContext> PresentationContexts { get; init; }
    /// <summary>Maximum P-DATA-TF PDU length the acceptor can receive; 0 = unlimited.</summary>
    public uint MaxPduLength { get; init; }
    /// <summary>Acceptor's Implementation Class UID.</summary>
    public string ImplementationClassUid { get; init; } = "";
    /// <summary>Acceptor's Implementation Version Name.</summary>
    public string ImplementationVersionName { get; init; } = "";
    /// <summary>User identity server response (sub-item 0x59) when one was sent; empty bytes allowed.</summary>
    public byte[]? UserIdentityServerResponse { get; init; }
}
