using System.Net;
using Mirc.Grains.Dimse;
using Mirc.Grains.Interfaces.Dimse;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Dimse;

/// <summary>
/// The certificate side of "a device is an AE title at an address": an AE title bound to a certificate is accepted over
/// TLS with that certificate only; and the plain port serves loopback peers only unless relaxed.
/// </summary>
public sealed class DeviceCertificateTests : IDisposable
{
    private readonly TestCertificates _pki = TestCertificates.Create();

    public void Dispose() => _pki.Dispose();

    private PeerCertificate Client()
    {
        using var certificate = _pki.Client.Load();
        return DeviceCertificate.Describe(certificate);
    }

    private PeerCertificate Other()
    {
        using var certificate = _pki.Other.Load();
        return DeviceCertificate.Describe(certificate);
    }

    [Fact]
    public void A_binding_matches_by_sha256_sha1_or_subject_in_any_spelling()
    {
        var client = Client();
        Assert.Equal(_pki.ClientSha256, client.Sha256);
        Assert.True(DeviceCertificate.Matches(client.Sha256, client));
        Assert.True(DeviceCertificate.Matches(string.Join(':', client.Sha256.Chunk(2).Select(c => new string(c))).ToLowerInvariant(), client));
        Assert.True(DeviceCertificate.Matches(client.Sha1, client));
        Assert.True(DeviceCertificate.Matches("CN=TLS Modality, O=Mirc Test", client));
        Assert.True(DeviceCertificate.Matches("cn=tls modality,o=mirc test", client));

        var other = Other();
        Assert.False(DeviceCertificate.Matches(client.Sha256, other));
        Assert.False(DeviceCertificate.Matches(client.Sha1, other));
        Assert.False(DeviceCertificate.Matches("CN=TLS Modality, O=Mirc Test", other));
        Assert.False(DeviceCertificate.Matches("CN=TLS Modality", client)); // a subject matches whole, not by prefix
    }

    [Theory]
    [InlineData("CN=CT-1, O=Hôpital", true)]
    [InlineData("3a5f0c112233445566778899aabbccddeeff0011", true)]
    [InlineData("3A5F0C112233445566778899AABBCCDDEEFF001", false)] // 39 digits
    [InlineData("not a certificate", false)]
    [InlineData("", false)]
    public void Only_thumbprints_and_distinguished_names_are_valid_bindings(string binding, bool valid) =>
        Assert.Equal(valid, DeviceCertificate.IsValid(binding));

    [Fact]
    public void A_bound_AE_title_needs_tls_and_its_certificate_an_unbound_one_needs_neither()
    {
        var client = Client();
        var bound = new AeTitleEntry("CT1", "127.0.0.1", 0, AePermissions.Store, ClientCertificate: client.Sha256);
        Assert.Null(DeviceCertificate.Mismatch(bound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1", OverTls: true, client)));
        Assert.Contains("must associate over the DICOM TLS port",
            DeviceCertificate.Mismatch(bound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1")), StringComparison.Ordinal);
        Assert.Contains("none was presented",
            DeviceCertificate.Mismatch(bound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1", OverTls: true)), StringComparison.Ordinal);
        Assert.Contains("is not the one bound to AE title CT1",
            DeviceCertificate.Mismatch(bound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1", OverTls: true, Other())), StringComparison.Ordinal);

        var unbound = bound with { ClientCertificate = null };
        Assert.Null(DeviceCertificate.Mismatch(unbound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1")));
        Assert.Null(DeviceCertificate.Mismatch(unbound, new DicomAssociationAttempt("CT1", "MIRC", "127.0.0.1", OverTls: true, Other())));
    }

    [Theory]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("127.0.0.2", true, true)]
    [InlineData("::1", true, true)]
    [InlineData("::ffff:127.0.0.1", true, true)]
    [InlineData("10.1.2.3", true, false)]
    [InlineData("2001:db8::7", true, false)]
    [InlineData("10.1.2.3", false, true)]
    public void The_plain_port_serves_loopback_only_unless_relaxed(string peer, bool requireTls, bool accepted)
    {
        var options = new DicomTlsOptions { RequireForRemotePeers = requireTls };
        var refusal = options.PlainTransportRefusal(IPAddress.Parse(peer));
        Assert.Equal(accepted, refusal is null);
        if (!accepted) Assert.Contains("Mirc:Dicom:Tls:RequireForRemotePeers", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Remote_peers_need_tls_by_default() => Assert.True(new DicomTlsOptions().RequireForRemotePeers);
}
