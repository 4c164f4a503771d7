namespace Mirc.Grains.Dimse;

/// <summary>
/// How the archive connects to AE titles registered with <c>tls: true</c> (section <c>Mirc:Dicom:PeerTls</c>): C-MOVE
/// destinations and share recipients, PS3.15 Annex B BCP 195 profile. The peer's certificate must chain to
/// <see cref="TrustedCaPath"/> (or, without it, to the machine's trusted roots) and name the registered host.
/// </summary>
public sealed class DicomPeerTlsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Dicom:PeerTls";

    /// <summary>PEM bundle of the authorities a peer's server certificate must chain to; absent: the machine's trusted roots.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Our client certificate for peers that ask for one (PEM with its chain, or .pfx / .p12); absent: none is sent.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="CertificatePath"/>; absent when it is in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key.</summary>
    public string? CertificatePassword { get; set; }
}
