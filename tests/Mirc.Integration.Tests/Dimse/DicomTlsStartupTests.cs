using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>
/// The built silo refuses to start with a DICOM TLS port whose certificate cannot be used: one line naming the setting,
/// exit code 2, like every other start-up configuration error — never a TLS port without its certificate.
/// </summary>
public sealed class DicomTlsStartupTests
{
    [Fact]
    public async Task A_missing_certificate_or_key_stops_the_silo_naming_the_setting()
    {
        using var work = new TempDataFolder();
        using var pki = TestCertificates.Create();
        var missing = Path.Combine(work.Path, "no-such-server.crt");

        var noCertificate = await StartSiloAsync(work.Path, $"--Mirc:Dicom:Tls:CertificatePath={missing}");
        Assert.Equal(2, noCertificate.ExitCode);
        Assert.Contains($"Mirc:Dicom:Tls:CertificatePath '{missing}': file not found", noCertificate.StandardError, StringComparison.Ordinal);

        // A certificate with someone else's key is as unusable as none.
        var wrongKey = await StartSiloAsync(work.Path, $"--Mirc:Dicom:Tls:CertificatePath={pki.Server.CertificatePath}",
            $"--Mirc:Dicom:Tls:KeyPath={pki.Client.KeyPath}");
        Assert.Equal(2, wrongKey.ExitCode);
        Assert.Contains("Mirc:Dicom:Tls:CertificatePath / Mirc:Dicom:Tls:KeyPath", wrongKey.StandardError, StringComparison.Ordinal);

        var noAuthorities = await StartSiloAsync(work.Path, $"--Mirc:Dicom:Tls:CertificatePath={pki.Server.CertificatePath}",
            $"--Mirc:Dicom:Tls:KeyPath={pki.Server.KeyPath}", "--Mirc:Dicom:Tls:ClientCertificateMode=Require");
        Assert.Equal(2, noAuthorities.ExitCode);
        Assert.Contains("Mirc:Dicom:Tls:ClientCaPath is required", noAuthorities.StandardError, StringComparison.Ordinal);
    }

    private static Task<ToolResult> StartSiloAsync(string work, params string[] tls) =>
        ExternalTool.RunAsync("dotnet",
        [
            SiloAssembly(),
            $"--Mirc:HttpUrl=http://127.0.0.1:{FreePort.Next()}",
            $"--Mirc:SiloPort={FreePort.Next()}",
            $"--Mirc:GatewayPort={FreePort.Next()}",
            $"--Mirc:Dicom:Port={FreePort.Next()}",
            $"--Mirc:Dicom:Tls:Port={FreePort.Next()}",
            $"--Mirc:DataPath={Path.Combine(work, "data")}",
            .. tls,
        ], TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken, workingDirectory: work);

    // The Silo project is built with the test project, in the same configuration.
    private static string SiloAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }
}
