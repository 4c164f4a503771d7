using Microsoft.Extensions.DependencyInjection;
using Mirc.Dicom;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// dcmtk's TLS build (and openssl s_client) against the archive's DICOM TLS port: BCP 195 (TLS 1.2+), client
/// certificates required and bound to AE titles, certificate-bound AE titles refused on the plain port.
/// </summary>
public sealed class DicomTlsTests(DicomTlsHostFixture archive) : IClassFixture<DicomTlsHostFixture>, IDisposable
{
    private readonly TempDataFolder _work = new();

    private string TlsPort => archive.TlsPort.ToString();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_store_over_tls_with_the_bound_certificate_succeeds_and_the_instance_is_queryable()
    {
        var study = new SyntheticStudy("PAT-TLS", "CHIFFRE^Alice", seriesCount: 1, instancesPerSeries: 2);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", [.. archive.TlsWith(archive.Pki.Client), "-aet", "TLS_BOUND", "-aec", "MIRC", "127.0.0.1", TlsPort, .. files]);

        var found = await Dcmtk.RunOkAsync("findscu", [.. archive.TlsWith(archive.Pki.Client), "-S", "-aet", "TLS_BOUND", "-aec", "MIRC",
            "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=PAT-TLS", "-k", "StudyInstanceUID", "127.0.0.1", TlsPort]);
        Assert.Contains(study.StudyUid, found.Combined);

        // The same certificate also speaks for the AE title bound to its subject.
        await Dcmtk.RunOkAsync("echoscu", [.. archive.TlsWith(archive.Pki.Client), "-aet", "TLS_SUBJECT", "-aec", "MIRC", "127.0.0.1", TlsPort]);
    }

    [Fact]
    public async Task Another_certificate_of_the_same_authority_is_rejected_for_a_bound_AE_title_and_audited()
    {
        // Signed by the trusted CA, so the handshake succeeds (TLS_FREE shows it) — but it is not TLS_BOUND's certificate.
        await Dcmtk.RunOkAsync("echoscu", [.. archive.TlsWith(archive.Pki.Other), "-aet", "TLS_FREE", "-aec", "MIRC", "127.0.0.1", TlsPort]);
        foreach (var bound in new[] { "TLS_BOUND", "TLS_SUBJECT" })
        {
            var rejected = await Dcmtk.RunAsync("echoscu", [.. archive.TlsWith(archive.Pki.Other), "-aet", bound, "-aec", "MIRC", "127.0.0.1", TlsPort]);
            Assert.NotEqual(0, rejected.ExitCode);
            Assert.Contains("Calling AE Title Not Recognized", rejected.Combined);
        }

        var denied = await DeniedAsync("dicom:TLS_BOUND@127.0.0.1");
        Assert.Contains(denied, d => d.Contains("is not the one bound to AE title TLS_BOUND", StringComparison.Ordinal)
            && d.Contains("CN=Other Device", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_client_certificate_or_with_one_from_another_authority_the_handshake_fails()
    {
        // TLS 1.3: the client sends its certificate after its side of the handshake is done, so dcmtk sees the server
        // close the connection instead of answering its A-ASSOCIATE-RQ. The same call with the CA's certificate works
        // (TLS_FREE in the other tests).
        var anonymous = await Dcmtk.RunAsync("echoscu", "+tla", "+cf", archive.Pki.CaPath, "-aet", "TLS_FREE", "-aec", "MIRC", "127.0.0.1", TlsPort);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("Peer aborted Association (or never connected)", anonymous.Combined);

        var stranger = await Dcmtk.RunAsync("echoscu", [.. archive.TlsWith(archive.Pki.Stranger), "-aet", "TLS_FREE", "-aec", "MIRC", "127.0.0.1", TlsPort]);
        Assert.NotEqual(0, stranger.ExitCode);
        Assert.Contains("Peer aborted Association (or never connected)", stranger.Combined);
    }

    [Fact]
    public async Task The_plain_port_refuses_a_certificate_bound_AE_title_and_audits_it()
    {
        await Dcmtk.RunOkAsync("echoscu", "-aet", "TLS_FREE", "-aec", "MIRC", "127.0.0.1", archive.Port); // loopback, unbound: fine

        var rejected = await Dcmtk.RunAsync("echoscu", "-aet", "TLS_BOUND", "-aec", "MIRC", "127.0.0.1", archive.Port);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", rejected.Combined);
        Assert.Contains(await DeniedAsync("dicom:TLS_BOUND@127.0.0.1"),
            d => d.Contains("must associate over the DICOM TLS port", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tls_1_1_is_refused_tls_1_2_accepted_and_tls_1_3_preferred()
    {
        string[] client = ["-connect", $"127.0.0.1:{TlsPort}", "-CAfile", archive.Pki.CaPath,
            "-cert", archive.Pki.Client.CertificatePath, "-key", archive.Pki.Client.KeyPath];

        // The client really offers TLS 1.1 (security level 0 lifts the client's own floor): the server refuses it.
        var tls11 = await OpensslAsync([.. client, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
        Assert.NotEqual(0, tls11.ExitCode);
        Assert.Contains("alert protocol version", tls11.Combined);

        var tls12 = await OpensslAsync([.. client, "-tls1_2"]);
        Assert.Matches(@"Protocol\s*:\s*TLSv1\.2", tls12.Combined);
        Assert.Matches(@"Cipher\s*:\s*ECDHE-ECDSA-AES(256|128)-GCM-SHA(384|256)", tls12.Combined);

        var preferred = await OpensslAsync(client);
        Assert.Matches(@"TLSv1\.3", preferred.Combined);
    }

    [Fact]
    public async Task CMOVE_to_a_tls_destination_goes_over_tls_with_our_client_certificate()
    {
        var study = new SyntheticStudy("PAT-TLS-MOVE", "CHIFFRE^Bob", seriesCount: 1, instancesPerSeries: 2);
        var files = await study.WriteAsync(Path.Combine(_work.Path, "in"), DicomTransferSyntax.ExplicitVRLittleEndian);
        await Dcmtk.RunOkAsync("storescu", [.. archive.TlsWith(archive.Pki.Client), "-aet", "TLS_BOUND", "-aec", "MIRC", "127.0.0.1", TlsPort, .. files]);

        // storescp's TLS mode requires and verifies the peer's certificate (dcmtk's default): ours must chain to the CA.
        var output = Directory.CreateDirectory(Path.Combine(_work.Path, "moved")).FullName;
        using (DcmtkStoreScp.Start("TLS_DEST", archive.DestinationPort, output, archive.TlsWith(archive.Pki.Server)))
        {
            var move = await Dcmtk.RunOkAsync("movescu", "-S", "-aet", "TLS_MOVER", "-aec", "MIRC", "-aem", "TLS_DEST",
                "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
            var moved = Directory.GetFiles(output);
            Assert.True(moved.Length == 2, $"moved {moved.Length} file(s), expected 2:\n{move.Combined}");
        }

        // A destination whose certificate the CA did not sign: the archive refuses the handshake, nothing is sent.
        var forged = Directory.CreateDirectory(Path.Combine(_work.Path, "forged")).FullName;
        using (DcmtkStoreScp.Start("TLS_FORGED", archive.ForgedDestinationPort, forged, archive.TlsWith(archive.Pki.Stranger)))
        {
            var refused = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "TLS_MOVER", "-aec", "MIRC", "-aem", "TLS_FORGED",
                "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study.StudyUid}", "127.0.0.1", archive.Port);
            // Every sub-operation fails: A702, "Refused: Out of resources - Unable to perform sub-operations".
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(refused.Combined, "(?i)out ?of ?resources|a702"), refused.Combined);
            Assert.Empty(Directory.GetFiles(forged));
        }
    }

    [Fact]
    public async Task Failed_handshakes_are_audited_with_address_and_reason_once_per_address_and_interval()
    {
        // A dedicated loopback address (no other test of the class uses it); 30 connections that never speak TLS.
        var source = System.Net.IPAddress.Parse("127.0.0.31");
        for (var i = 0; i < 30; i++)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new System.Net.IPEndPoint(source, 0));
            await socket.ConnectAsync("127.0.0.1", archive.TlsPort, TestContext.Current.CancellationToken);
            await socket.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            var buffer = new byte[256];
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                while (await socket.ReceiveAsync(buffer, wait.Token) > 0) { } // until the server closes
            }
            catch (System.Net.Sockets.SocketException)
            {
                // reset by the server: closed too
            }
        }

        var denied = await DeniedAsync("dicom-tls@127.0.0.31");
        // One record per address per interval (1 min; two if an interval ends during the test), with the reason.
        Assert.InRange(denied.Count, 1, 2);
        Assert.All(denied, d => Assert.Matches(@"^DICOM TLS handshake from 127\.0\.0\.31 failed: \S", d));
    }

    private async Task<IReadOnlyList<string>> DeniedAsync(string source)
    {
        var audit = archive.Host.Services.GetRequiredService<IAuditTrail>();
        var ct = TestContext.Current.CancellationToken;
        await audit.FlushAsync(ct);
        var records = await audit.QueryAsync(new AuditFilter { Actions = [AuditAction.Login] }, ct);
        return [.. records.Where(r => r.Event.Outcome == AuditOutcome.Denied && r.Event.Source == source).Select(r => r.Event.Detail ?? "")];
    }

    private static Task<ToolResult> OpensslAsync(string[] arguments) =>
        ExternalTool.RunAsync("openssl", ["s_client", .. arguments], TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
}
