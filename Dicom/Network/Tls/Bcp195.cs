using System.Net.Security;
using System.Security.Authentication;

namespace Mirc.Dicom.Network;

/// <summary>
/// The BCP 195 secure transport connection profile of PS3.15 Annex B (non-downgrading): TLS 1.2 or 1.3 only (1.3 is
/// chosen whenever the peer offers it), forward-secret AEAD cipher suites only (RFC 9325 §4.2).
/// </summary>
public static class Bcp195
{
    /// <summary>TLS 1.2 and 1.3; SSL, TLS 1.0 and 1.1 are refused in the handshake.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Cipher suites in order of preference: TLS 1.3's, then TLS 1.2's ECDHE / DHE with AES-GCM or ChaCha20-Poly1305.</summary>
    public static IReadOnlyList<TlsCipherSuite> CipherSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    ];

    /// <summary>
    /// The cipher suite policy to set on <see cref="SslServerAuthenticationOptions.CipherSuitesPolicy"/> or the client's;
    /// null where the platform does not let an application choose (Windows: the system policy applies).
    /// </summary>
    public static CipherSuitesPolicy? CipherSuitesPolicy() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? new CipherSuitesPolicy(CipherSuites) : null;
}
