using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mirc.Testing;

/// <summary>
/// A throw-away PKI for TLS tests, written as PEM files to a temporary folder (deleted on dispose): a CA, a server
/// certificate for 127.0.0.1 / localhost, two client certificates the CA signed (<see cref="Client"/>, <see cref="Other"/>)
/// and one it did not (<see cref="Stranger"/>, self-signed).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestCertificates(string folder) => Folder = folder;

    /// <summary>Folder holding the PEM files.</summary>
    public string Folder { get; }

    /// <summary>The CA certificate (PEM), to trust on both sides.</summary>
    public string CaPath => Path.Combine(Folder, "ca.crt");

    /// <summary>The server's certificate and key.</summary>
    public PemPair Server => Pair("server");

    /// <summary>A client certificate signed by the CA, subject <see cref="ClientSubject"/>.</summary>
    public PemPair Client => Pair("client");

    /// <summary>Another client certificate signed by the CA (subject CN=Other Device, O=Mirc Test).</summary>
    public PemPair Other => Pair("other");

    /// <summary>A self-signed client certificate the CA never signed.</summary>
    public PemPair Stranger => Pair("stranger");

    /// <summary>Subject of <see cref="Client"/>.</summary>
    public const string ClientSubject = "CN=TLS Modality, O=Mirc Test";

    /// <summary>SHA-256 of <see cref="Client"/>'s certificate (DER), upper-case hex.</summary>
    public string ClientSha256 { get; private set; } = "";

    /// <summary>Creates the PKI in a new temporary folder.</summary>
    public static TestCertificates Create()
    {
        var set = new TestCertificates(Directory.CreateTempSubdirectory("mirc-tls-").FullName);
        var now = DateTimeOffset.UtcNow;
        // ECDSA P-256: an RSA-2048 key takes seconds to generate on a small test machine.
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Mirc Test CA, O=Mirc Test", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(set.CaPath, ca.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        set.Issue("server", "CN=localhost, O=Mirc Test", ServerAuth, ca, san.Build(), now);
        var client = set.Issue("client", ClientSubject, ClientAuth, ca, null, now);
        set.ClientSha256 = Convert.ToHexString(SHA256.HashData(client));
        set.Issue("other", "CN=Other Device, O=Mirc Test", ClientAuth, ca, null, now);
        set.Issue("stranger", ClientSubject, ClientAuth, null, null, now);
        return set;
    }

    private byte[] Issue(string name, string subject, Oid usage, X509Certificate2? issuer, X509Extension? san, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (san is not null) request.CertificateExtensions.Add(san);
        using var certificate = issuer is null
            ? request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30))
            : request.Create(issuer, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(Path.Combine(Folder, name + ".crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Folder, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        return certificate.RawData;
    }

    private PemPair Pair(string name) => new(Path.Combine(Folder, name + ".crt"), Path.Combine(Folder, name + ".key"));

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}

/// <summary>A PEM certificate file and its PEM private key file.</summary>
/// <param name="CertificatePath">Certificate.</param>
/// <param name="KeyPath">PKCS#8 private key.</param>
public sealed record PemPair(string CertificatePath, string KeyPath)
{
    /// <summary>Loads the pair with its key.</summary>
    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
}
