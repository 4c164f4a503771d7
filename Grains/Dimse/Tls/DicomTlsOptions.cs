using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Dimse;

/// <summary>Whether the DICOM TLS port asks connecting devices for a certificate.</summary>
public enum TlsClientCertificateMode
{
    /// <summary>No client certificate is asked for; AE titles bound to a certificate cannot associate.</summary>
    None,

    /// <summary>A certificate is asked for; one that is sent must chain to <see cref="DicomTlsOptions.ClientCaPath"/>.</summary>
    Allow,

    /// <summary>The handshake fails without a certificate that chains to <see cref="DicomTlsOptions.ClientCaPath"/>.</summary>
    Require,
}

/// <summary>
/// The DICOM TLS port (section <c>Mirc:Dicom:Tls</c>, PS3.15 Annex B, BCP 195 profile), on the listener's
/// <c>Mirc:Dicom:BindAddress</c>, served by the same listener as the plain port.
/// </summary>
public sealed class DicomTlsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Dicom:Tls";

    /// <summary>Registered port of DICOM over TLS (IANA "dicom-tls").</summary>
    public const int RegisteredPort = 2762;

    /// <summary>TCP port of the TLS listener; absent = no TLS listener (0 picks a free one). The registered port is 2762.</summary>
    [Range(0, 65535)]
    public int? Port { get; set; }

    /// <summary>The server certificate: a PEM file (certificate, then its intermediates) or a PKCS#12 file (.pfx, .p12).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; absent when the key is in the same PEM file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Whether devices are asked for a client certificate (None, Allow, Require).</summary>
    public TlsClientCertificateMode ClientCertificateMode { get; set; } = TlsClientCertificateMode.None;

    /// <summary>PEM bundle of the certification authorities a client certificate must chain to (needed unless None).</summary>
    public string? ClientCaPath { get; set; }

    /// <summary>
    /// True (the default): the plain DIMSE port serves loopback peers only, every other device must use the TLS port.
    /// False lets remote devices associate in clear — only behind a VPN or private link, logged as a relaxation.
    /// </summary>
    public bool RequireForRemotePeers { get; set; } = true;

    /// <summary>
    /// Failed TLS handshakes are audited (source address, reason) at most once per source address per interval; the
    /// failures in between are counted in the next record of that address.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HandshakeFailureAuditInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// At most this many failed-handshake records per interval across all addresses, so that a flood from many
    /// addresses cannot flood the audit trail; the rest is counted in one summary record at the next interval.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxHandshakeFailureAuditsPerInterval { get; set; } = 20;

    /// <summary>Why a plain-TCP association from <paramref name="peer"/> is refused, or null when it may go on.</summary>
    public string? PlainTransportRefusal(System.Net.IPAddress? peer)
    {
        if (!RequireForRemotePeers) return null;
        if (peer is not null && System.Net.IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer)) return null;
        return $"plain DICOM from remote peer {peer?.ToString() ?? "?"} refused: associate over the DICOM TLS port "
            + "(Mirc:Dicom:Tls:RequireForRemotePeers=true)";
    }
}
