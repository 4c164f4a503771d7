using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mirc.Dicom.Network;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>
/// DICOM over TLS (PS3.15 Annex B) in the library: one server listening plain and TLS, our client over TLS with a client
/// certificate, the session (protocol, certificate) handed to the application with the association request.
/// </summary>
public sealed class TlsTransportTests : IDisposable
{
    private static readonly string[] Uncompressed = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];
    private readonly TestCertificates _pki = TestCertificates.Create();
    private readonly X509Certificate2 _ca;

    public TlsTransportTests() => _ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaPath);

    public void Dispose()
    {
        _ca.Dispose();
        _pki.Dispose();
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private SslServerAuthenticationOptions ServerTls(X509Certificate2 server) => new()
    {
        ServerCertificate = server,
        EnabledSslProtocols = Bcp195.Protocols,
        CipherSuitesPolicy = Bcp195.CipherSuitesPolicy(),
        ClientCertificateRequired = true,
        // Allow mode: no certificate is fine, a presented one must be the CA's.
        RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificate is null
            ? errors == SslPolicyErrors.RemoteCertificateNotAvailable
            : ChainsToCa(certificate),
    };

    private bool ChainsToCa(X509Certificate certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private SslClientAuthenticationOptions ClientTls(X509Certificate2? client, SslProtocols protocols = Bcp195.Protocols)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(_ca);
        return new SslClientAuthenticationOptions
        {
            ClientCertificates = client is null ? null : [client],
            EnabledSslProtocols = protocols,
            CertificateChainPolicy = policy,
        };
    }

    [Fact]
    public async Task One_server_serves_plain_and_tls_and_the_application_sees_the_session()
    {
        var ct = Timeout();
        using var serverCertificate = _pki.Server.Load();
        using var clientCertificate = _pki.Client.Load();
        var archive = new InMemoryArchive();
        await using var server = new DicomServer(archive, new DicomServerOptions { DimseTimeout = TimeSpan.FromSeconds(10) });
        var plain = server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        var tls = server.Start(new IPEndPoint(IPAddress.Loopback, 0), ServerTls(serverCertificate));
        Assert.NotEqual(plain.Port, tls.Port);
        Assert.Equal(plain, server.LocalEndPoint);

        // TLS with a client certificate: the store succeeds, and the application got the negotiated session.
        var uid = TestFiles.NewUid();
        var part10 = TestFiles.Create(uid, "1.2.3", DicomUids.ExplicitVRLittleEndian, pixelBytes: 200_000);
        await using (var client = await DicomClient.ConnectAsync("localhost", tls.Port, "TLS_SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed), new(0, TestFiles.SecondaryCapture, Uncompressed)],
            new DicomClientOptions { Tls = ClientTls(clientCertificate) }, ct: ct))
        {
            Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
            Assert.Equal(DimseStatus.Success, (await client.StoreAsync(new MemoryStream(part10), ct)).Status);
            await client.ReleaseAsync(ct);
        }

        Assert.Equal(TestFiles.DataSetOf(part10), archive.Stored[uid].DataSet);
        var overTls = Assert.Single(archive.Associations, a => a.CallingAe == "TLS_SCU");
        Assert.NotNull(overTls.Tls);
        Assert.Equal(SslProtocols.Tls13, overTls.Tls.Protocol); // 1.3 whenever both sides offer it
        Assert.Equal(TestCertificates.ClientSubject, overTls.Tls.ClientCertificate!.SubjectName.Name);

        // TLS 1.2 only, without a client certificate (allowed by this server's callback): accepted, no certificate.
        await using (var client = await DicomClient.ConnectAsync("localhost", tls.Port, "TLS12_SCU", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], new DicomClientOptions { Tls = ClientTls(null, SslProtocols.Tls12) }, ct: ct))
        {
            Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
            await client.ReleaseAsync(ct);
        }

        var tls12 = Assert.Single(archive.Associations, a => a.CallingAe == "TLS12_SCU");
        Assert.Equal(SslProtocols.Tls12, tls12.Tls!.Protocol);
        Assert.Contains(tls12.Tls.CipherSuite, Bcp195.CipherSuites);
        Assert.Null(tls12.Tls.ClientCertificate);

        // The plain port of the same server: no session.
        await using (var client = await DicomClient.ConnectAsync("127.0.0.1", plain.Port, "PLAIN_SCU", "MIRC", [new(0, DicomUids.Verification, Uncompressed)], ct: ct))
        {
            Assert.Equal(DimseStatus.Success, (await client.EchoAsync(ct)).Status);
            await client.ReleaseAsync(ct);
        }

        Assert.Null(Assert.Single(archive.Associations, a => a.CallingAe == "PLAIN_SCU").Tls);
    }

    [Fact]
    public async Task A_client_certificate_the_server_does_not_trust_fails_the_handshake_and_the_application_never_hears_of_it()
    {
        var ct = Timeout();
        using var serverCertificate = _pki.Server.Load();
        using var stranger = _pki.Stranger.Load();
        var archive = new InMemoryArchive();
        await using var server = new DicomServer(archive);
        var tls = server.Start(new IPEndPoint(IPAddress.Loopback, 0), ServerTls(serverCertificate));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => DicomClient.ConnectAsync("localhost", tls.Port, "STRANGER", "MIRC",
            [new(0, DicomUids.Verification, Uncompressed)], new DicomClientOptions { Tls = ClientTls(stranger) }, ct: ct));
        Assert.True(failure is AuthenticationException or IOException or DicomAssociationException or SocketException, failure.ToString());
        Assert.Empty(archive.Associations);
    }

    [Fact]
    public async Task A_connection_that_never_completes_its_handshake_is_closed_at_the_association_request_deadline()
    {
        using var serverCertificate = _pki.Server.Load();
        await using var server = new DicomServer(new InMemoryArchive(), new DicomServerOptions { AssociateRequestTimeout = TimeSpan.FromMilliseconds(500) });
        var tls = server.Start(new IPEndPoint(IPAddress.Loopback, 0), ServerTls(serverCertificate));
        using var idle = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await idle.ConnectAsync(IPAddress.Loopback, tls.Port, Timeout());

        // Nothing sent: the server closes the connection (read returns 0) well before the test's own limit.
        var buffer = new byte[16];
        var started = DateTime.UtcNow;
        var read = await idle.ReceiveAsync(buffer, SocketFlags.None, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal(0, read);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
