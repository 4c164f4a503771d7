using Mirc.Integration.Tests.Hosting;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// A running archive with its DICOM TLS port on, client certificates required (signed by the test CA), and the
/// establishment "EST_TLS": TLS_BOUND bound to the client certificate's SHA-256, TLS_SUBJECT to its subject, TLS_FREE
/// bound to no certificate; TLS_MOVER (plain, may retrieve); TLS_DEST and TLS_FORGED, move destinations reached over TLS (trusting the test CA, our client
/// certificate being the CA's "client"), at ports where the tests start a storescp with the CA's server certificate or a
/// self-signed one.
/// </summary>
public sealed class DicomTlsHostFixture : IAsyncLifetime
{
    private readonly TempDataFolder _data = new();

    public TestCertificates Pki { get; } = TestCertificates.Create();

    public MircHostFactory Host { get; private set; } = null!;

    public int TlsPort { get; } = FreePort.Next();

    public int DestinationPort { get; } = FreePort.Next();

    public int ForgedDestinationPort { get; } = FreePort.Next();

    public string Port => Host.DicomPort.ToString();

    public ValueTask InitializeAsync()
    {
        Host = new MircHostFactory(_data.Path, new Dictionary<string, string?>
        {
            ["Mirc:Dicom:Tls:Port"] = TlsPort.ToString(),
            ["Mirc:Dicom:Tls:CertificatePath"] = Pki.Server.CertificatePath,
            ["Mirc:Dicom:Tls:KeyPath"] = Pki.Server.KeyPath,
            ["Mirc:Dicom:Tls:ClientCertificateMode"] = "Require",
            ["Mirc:Dicom:Tls:ClientCaPath"] = Pki.CaPath,
            ["Mirc:Seed:Establishments:1:Id"] = "EST_TLS",
            ["Mirc:Seed:Establishments:1:Name"] = "Clinique TLS",
            ["Mirc:Seed:Establishments:1:AeTitles:0:AeTitle"] = "TLS_BOUND",
            ["Mirc:Seed:Establishments:1:AeTitles:0:Permissions"] = "Store, Query",
            ["Mirc:Seed:Establishments:1:AeTitles:0:ClientCertificate"] = Pki.ClientSha256,
            ["Mirc:Seed:Establishments:1:AeTitles:1:AeTitle"] = "TLS_SUBJECT",
            ["Mirc:Seed:Establishments:1:AeTitles:1:Permissions"] = "Query",
            ["Mirc:Seed:Establishments:1:AeTitles:1:ClientCertificate"] = TestCertificates.ClientSubject,
            ["Mirc:Seed:Establishments:1:AeTitles:2:AeTitle"] = "TLS_FREE",
            ["Mirc:Seed:Establishments:1:AeTitles:2:Permissions"] = "Query",
            ["Mirc:Seed:Establishments:1:AeTitles:3:AeTitle"] = "TLS_DEST",
            ["Mirc:Seed:Establishments:1:AeTitles:3:Port"] = DestinationPort.ToString(),
            ["Mirc:Seed:Establishments:1:AeTitles:3:Permissions"] = "MoveDestination",
            ["Mirc:Seed:Establishments:1:AeTitles:3:Tls"] = "true",
            ["Mirc:Seed:Establishments:1:AeTitles:4:AeTitle"] = "TLS_FORGED",
            ["Mirc:Seed:Establishments:1:AeTitles:4:Port"] = ForgedDestinationPort.ToString(),
            ["Mirc:Seed:Establishments:1:AeTitles:4:Permissions"] = "MoveDestination",
            ["Mirc:Seed:Establishments:1:AeTitles:4:Tls"] = "true",
            // dcmtk's movescu has no TLS: the mover asks on the plain loopback port, the archive then pushes over TLS.
            ["Mirc:Seed:Establishments:1:AeTitles:5:AeTitle"] = "TLS_MOVER",
            ["Mirc:Seed:Establishments:1:AeTitles:5:Permissions"] = "Query, Retrieve",
            ["Mirc:Dicom:PeerTls:TrustedCaPath"] = Pki.CaPath,
            ["Mirc:Dicom:PeerTls:CertificatePath"] = Pki.Client.CertificatePath,
            ["Mirc:Dicom:PeerTls:KeyPath"] = Pki.Client.KeyPath,
        });
        _ = Host.Server; // starts the silo, the seeder and both DICOM ports
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
        Pki.Dispose();
    }

    /// <summary>dcmtk's options for TLS with the given client certificate and the test CA.</summary>
    public string[] TlsWith(PemPair certificate) => ["+tls", certificate.KeyPath, certificate.CertificatePath, "+cf", Pki.CaPath];
}
