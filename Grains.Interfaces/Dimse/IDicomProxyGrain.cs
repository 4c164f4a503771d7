using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Interfaces.Dimse;

/// <summary>
/// The DICOM face of one establishment (key: establishment id). The listener asks it once per association what the
/// calling AE may do, and it resolves the AE titles the establishment may send to (C-MOVE destinations, pushes).
/// </summary>
[Alias("mirc.IDicomProxyGrain")]
public interface IDicomProxyGrain : IGrainWithStringKey
{
    /// <summary>Decides whether the association may open and with which permissions.</summary>
    [Alias("OpenAssociation")]
    Task<DicomAssociationGrant> OpenAssociationAsync(DicomAssociationAttempt attempt);

    /// <summary>Resolves a C-MOVE destination AE title to its network address, or null when unknown or not a permitted destination.</summary>
    [Alias("ResolveMoveDestination")]
    Task<AeTitleEntry?> ResolveMoveDestinationAsync(string aeTitle);
}

/// <summary>An A-ASSOCIATE-RQ as seen by the proxy grain.</summary>
/// <param name="CallingAe">Calling AE title (the establishment's device).</param>
/// <param name="CalledAe">Called AE title (ours).</param>
/// <param name="RemoteAddress">Peer IP address, for host checks and audit.</param>
/// <param name="OverTls">True when the association arrived on the DICOM TLS port.</param>
/// <param name="Certificate">The client certificate presented in the TLS handshake (its chain already checked), if any.</param>
[GenerateSerializer, Immutable, Alias("mirc.DicomAssociationAttempt")]
public sealed record DicomAssociationAttempt(
    [property: Id(0)] string CallingAe,
    [property: Id(1)] string CalledAe,
    [property: Id(2)] string? RemoteAddress,
    [property: Id(3)] bool OverTls = false,
    [property: Id(4)] PeerCertificate? Certificate = null);

/// <summary>A TLS client certificate as the proxy grain compares it with an AE title's binding.</summary>
/// <param name="Sha256">SHA-256 of the certificate (DER), upper-case hex.</param>
/// <param name="Sha1">SHA-1 thumbprint, upper-case hex.</param>
/// <param name="Subject">Subject distinguished name.</param>
[GenerateSerializer, Immutable, Alias("mirc.PeerCertificate")]
public sealed record PeerCertificate(
    [property: Id(0)] string Sha256,
    [property: Id(1)] string Sha1,
    [property: Id(2)] string Subject);

/// <summary>The proxy grain's answer.</summary>
/// <param name="Accepted">True when the association may open.</param>
/// <param name="Permissions">What the calling AE may do on it.</param>
/// <param name="Reason">Why it was refused (logged and audited).</param>
[GenerateSerializer, Immutable, Alias("mirc.DicomAssociationGrant")]
public sealed record DicomAssociationGrant(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] AePermissions Permissions,
    [property: Id(2)] string? Reason)
{
    /// <summary>A refusal.</summary>
    public static DicomAssociationGrant Refuse(string reason) => new(false, AePermissions.None, reason);
}
