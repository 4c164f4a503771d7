using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mirc.Dicom.Network;

/// <summary>The secure transport an association arrived on (PS3.15 Annex B), as negotiated by the TLS handshake.</summary>
/// <param name="Protocol">TLS version.</param>
/// <param name="CipherSuite">Negotiated cipher suite.</param>
/// <param name="ClientCertificate">
/// The peer's certificate when it sent one; it already passed the server's validation callback (its chain), so the
/// application only decides whether this certificate may speak for the calling AE title.
/// </param>
public sealed record TlsSession(SslProtocols Protocol, TlsCipherSuite CipherSuite, X509Certificate2? ClientCertificate);
