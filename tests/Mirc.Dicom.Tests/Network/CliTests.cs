using System.Text;
using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>The <c>mirc-dicom</c> tool run as a process (<c>dotnet mirc-dicom.dll …</c>) against our server on a free port.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Echo_reports_success_and_exits_zero()
    {
        await using var server = new TestServer();
        var (exit, output, _) = await RunAsync("echo", "-p", server.Port.ToString(), "-aet", "CLI", "-aec", "ANY");
        Assert.Equal(0, exit);
        Assert.Contains("C-ECHO status 0x0000", output);
        Assert.Contains(server.Archive.Associations, a => a.CallingAe == "CLI");
    }

    [Fact]
    public async Task Echo_over_tls_with_a_client_certificate_reaches_the_tls_port()
    {
        using var pki = Mirc.Testing.TestCertificates.Create();
        using var certificate = pki.Server.Load();
        var archive = new InMemoryArchive();
        await using var server = new Mirc.Dicom.Network.DicomServer(archive);
        var tls = server.Start(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), new System.Net.Security.SslServerAuthenticationOptions
        {
            ServerCertificate = certificate, EnabledSslProtocols = Mirc.Dicom.Network.Bcp195.Protocols, ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, client, _, _) => client is not null,
        });

        var (exit, output, error) = await RunAsync("echo", "-p", tls.Port.ToString(), "-aet", "CLI_TLS", "-aec", "ANY",
            "+tls", pki.Client.KeyPath, pki.Client.CertificatePath, "+cf", pki.CaPath);
        Assert.True(exit == 0, output + error);
        Assert.Contains("C-ECHO status 0x0000", output);
        var association = Assert.Single(archive.Associations, a => a.CallingAe == "CLI_TLS");
        Assert.Equal(Mirc.Testing.TestCertificates.ClientSubject, association.Tls!.ClientCertificate!.SubjectName.Name);

        // The server's certificate is checked against +cf: another authority's bundle refuses it.
        var (refused, _, _) = await RunAsync("echo", "-p", tls.Port.ToString(), "-aet", "CLI_TLS", "-aec", "ANY",
            "+tls", pki.Client.KeyPath, pki.Client.CertificatePath, "+cf", pki.Stranger.CertificatePath);
        Assert.NotEqual(0, refused);
    }

    [Fact]
    public async Task Echo_to_a_rejecting_server_exits_non_zero()
    {
        await using var server = new TestServer(archive: new InMemoryArchive { RequiredCallingAe = "SOMEONE_ELSE" });
        var (exit, _, error) = await RunAsync("echo", "-p", server.Port.ToString(), "-aet", "CLI", "-aec", "ANY");
        Assert.Equal(1, exit);
        // The rejection names the AE title and the option to change, not just the protocol's reason code.
        Assert.Contains("calling AE title 'CLI'", error);
        Assert.Contains("-aet", error);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_zero()
    {
        var (exit, output, error) = await RunAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("usage: mirc-dicom", output);
        Assert.DoesNotContain("unknown", output + error);
    }

    [Fact]
    public async Task Store_then_get_round_trips_the_dataset_bytes()
    {
        await using var server = new TestServer();
        var study = TestFiles.NewUid();
        var uid = TestFiles.NewUid();
        var part10 = TestFiles.Create(uid, study, DicomUids.ExplicitVRLittleEndian, pixelBytes: 8192, seed: 7);
        var folder = Directory.CreateTempSubdirectory("mirc-cli-");
        try
        {
            var input = Path.Combine(folder.FullName, "in.dcm");
            await File.WriteAllBytesAsync(input, part10, TestContext.Current.CancellationToken);
            var (storeExit, storeOutput, _) = await RunAsync("store", "-p", server.Port.ToString(), "-aec", "ANY", input);
            Assert.Equal(0, storeExit);
            Assert.Contains("stored 1/1", storeOutput);
            Assert.Equal(TestFiles.DataSetOf(part10), server.Archive.Stored[uid].DataSet);

            server.Archive.AddFile(part10, uid, study, DicomUids.ExplicitVRLittleEndian);
            var output = Path.Combine(folder.FullName, "out");
            var (getExit, getOutput, _) = await RunAsync("get", "-p", server.Port.ToString(), "-aec", "ANY", "-k", "StudyInstanceUID=" + study, "-od", output);
            Assert.Equal(0, getExit);
            Assert.Contains("completed 1, failed 0", getOutput);
            var received = await File.ReadAllBytesAsync(Path.Combine(output, uid + ".dcm"), TestContext.Current.CancellationToken);
            Assert.Equal(TestFiles.DataSetOf(part10), TestFiles.DataSetOf(received));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Storage_classes_prints_every_accepted_class_once()
    {
        var (exit, output, _) = await RunAsync("storage-classes");
        Assert.Equal(0, exit);
        var rows = output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains('`')).ToList();
        var expected = DicomUids.StorageSopClasses.ToHashSet();
        Assert.Equal(expected.Count, rows.Count);
        Assert.All(expected, uid => Assert.Contains(rows, r => r.Contains($"`{uid}`", StringComparison.Ordinal)));
        Assert.Contains($"{expected.Count} storage SOP classes.", output);
    }

    [Fact]
    public async Task Unknown_command_exits_with_usage()
    {
        var (exit, _, error) = await RunAsync("frobnicate");
        Assert.Equal(1, exit);
        Assert.Contains("usage: mirc-dicom", error);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "mirc-dicom.dll");
        Assert.True(File.Exists(tool), $"{tool} missing (the test project references tools/dicom-cli)");
        // The tool's own network time-out (-t 30) ends within ours.
        var run = await ExternalTool.RunAsync("dotnet", [tool, .. args, "-t", "30"], TimeSpan.FromSeconds(60), CancellationToken.None,
            outputEncoding: Encoding.UTF8);
        return (run.ExitCode, run.StandardOutput, run.StandardError);
    }
}
