using System.Diagnostics;
using System.Net;
using System.Text;
using Mirc.Integration.Tests.Hosting;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Security;

/// <summary>
/// The built silo started the way service managers and bench scripts start it — <c>dotnet /path/Mirc.Silo.dll</c> from
/// another working folder — still reads its appsettings.json (its relaxation), logs no patient id and serves nothing anonymously.
/// </summary>
public sealed class SiloStartedElsewhereTests
{
    [Fact]
    public async Task Started_from_another_folder_requires_a_token_and_reads_its_settings()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("mirc-elsewhere-");
        var httpPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work.FullName,
        };
        foreach (var argument in new[]
        {
            SiloAssembly(),
            $"--Mirc:HttpUrl=http://127.0.0.1:{httpPort}",
            $"--Mirc:SiloPort={FreePort.Next()}",
            $"--Mirc:GatewayPort={FreePort.Next()}",
            $"--Mirc:Dicom:Port={FreePort.Next()}",
            $"--Mirc:DataPath={Path.Combine(work.FullName, "data")}",
            "--Mirc:Auth:BootstrapAdministrator=false",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing may point the host at a content root: the point is that it finds its own.
        foreach (var name in new[] { "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilReadyAsync(http, process, output, ct);

            foreach (var path in new[] { "/dicomweb/studies", "/dicomweb/studies?PatientID=P123", "/wado?requestType=WADO&studyUID=1.2&seriesUID=1.2.3&objectUID=1.2.3.4",
                "/api/establishments/750000001", "/api/patients", "/api/professionals/10000000001" })
            {
                using var response = await http.GetAsync(path, ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {path}: {response.StatusCode}");
            }

            using (var register = await http.PutAsync("/api/establishments/750000001/ae-titles/INTRUDER",
                new StringContent("""{"host":"127.0.0.1","port":104,"permissions":["Query","Retrieve"]}""", Encoding.UTF8, "application/json"), ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, register.StatusCode);
            }
        }
        finally
        {
            await StopAsync(process);
            work.Delete(recursive: true);
        }

        var log = Snapshot(output);
        // No per-request lines carrying patient ids (code-default log levels), and appsettings.json was read: its one relaxation.
        Assert.Contains("Now listening on", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal);
        Assert.DoesNotContain("P123", log, StringComparison.Ordinal);
        Assert.Contains("Security relaxed by configuration: Mirc:Dashboard:AllowAnonymousLoopback=true", log, StringComparison.Ordinal);
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, Process process, StringBuilder output, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "the silo exited: " + Snapshot(output));
            try
            {
                using var ready = await http.GetAsync("/readyz", ct);
                if (ready.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250, ct);
        }

        Assert.Fail("the silo did not become ready: " + Snapshot(output));
    }

    // SIGTERM: the host stops gracefully and flushes its console log; killed only if it does not.
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited) return;
        await ExternalTool.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(10), CancellationToken.None);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    // The Silo project is built with the test project, in the same configuration.
    private static string SiloAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }
}
