using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mirc.Integration.Tests.Infra;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Hosting;

/// <summary>
/// The built silo (<c>dotnet Mirc.Silo.dll</c>) as a separate process, its console output collected, so tests can run
/// it the way an operator does — or under a wrapper such as libfaketime's <c>LD_PRELOAD</c>.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process) => _process = process;

    /// <summary>Everything the silo wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// A silo of its own on <paramref name="dataPath"/>: HTTP, silo, gateway and DICOM ports free on loopback, no first-start
    /// administrator; <paramref name="extra"/> appended.
    /// </summary>
    public static string[] OwnArguments(string dataPath, params string[] extra) => OwnArguments(dataPath, SiloPorts.Free(), extra);

    /// <summary><see cref="OwnArguments(string, string[])"/> on the given <paramref name="ports"/>, for a test that talks to them itself (its own DIMSE peer, a restart on the same silo endpoint).</summary>
    public static string[] OwnArguments(string dataPath, SiloPorts ports, params string[] extra) =>
    [
        $"--Mirc:DataPath={dataPath}",
        $"--Mirc:HttpUrl=http://127.0.0.1:{ports.Http}",
        $"--Mirc:SiloPort={ports.Silo}",
        $"--Mirc:GatewayPort={ports.Gateway}",
        $"--Mirc:Dicom:Port={ports.Dicom}",
        "--Mirc:Auth:BootstrapAdministrator=false",
        .. extra,
    ];

    /// <summary>Starts the silo with <paramref name="arguments"/> and extra <paramref name="environment"/> variables.</summary>
    public static SiloProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(AssemblyPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var silo = new SiloProcess(process);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>The exit code, once the process has exited (null before).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Waits until the output contains <paramref name="text"/>; fails (with the output) at the deadline or if the silo exits.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return;
            Assert.False(_process.HasExited, $"the silo exited before writing \"{text}\": {Output}");
            await Task.Delay(100, cancellationToken);
        }

        Assert.Fail($"the silo did not write \"{text}\" within {timeout}: {Output}");
    }

    /// <summary>Waits until the process exits on its own (e.g. a refused start).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL, as a crash: nothing of the process runs after it.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: the host stops gracefully and flushes its log; killed only if it does not within 30 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        await ExternalTool.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10), CancellationToken.None);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>The Silo project's build output (built with the test project, in the same configuration).</summary>
    public static string AssemblyPath()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = RepositoryRoot.Combine("Silo", "bin", configuration, "net10.0", "Mirc.Silo.dll");
        Assert.True(File.Exists(path), "built silo not found: " + path);
        return path;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
