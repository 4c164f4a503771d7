using System.Diagnostics;
using Azure.Core;
using Azure.Storage.Blobs;
using Xunit;

namespace Mirc.Testing;

/// <summary>
/// Starts a private Azurite blob server (npm package, installed under $MIRC_TOOLS_DIR or &lt;repo&gt;/.tools by
/// ./test.sh) on a free loopback port with telemetry disabled, and stops it at the end.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Azurite's fixed, publicly documented development account (not a secret).
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private Process? _process;
    private string? _location;
    private string[] _launch = [];
    private int _blobPort;
    private int _tablePort;
    private int _queuePort;

    /// <summary>Connection string of the running server.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>A client with short retries (a failing test should fail fast).</summary>
    public BlobServiceClient CreateServiceClient()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return new BlobServiceClient(ConnectionString, options);
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        // The script and its --disableTelemetry travel together: Azurite must never reach an outside host.
        // azurite.js serves blobs (instances, grain state) and tables (cluster membership, reminders) from one process.
        string[] launch = [Path.Combine(TestEnvironment.ToolsDirectory, "node_modules", "azurite", "dist", "src", "azurite.js"), "--disableTelemetry"];
        var main = launch[0];
        if (!File.Exists(main))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed ({main} missing). Run ./test.sh (installs tools/package.json into .tools) " +
                "or: mkdir -p .tools && cp tools/package.json .tools/ && (cd .tools && npm install).");
        }

        _launch = launch;
        _blobPort = TestEnvironment.FreeLoopbackPort();
        _tablePort = TestEnvironment.FreeLoopbackPort();
        _queuePort = TestEnvironment.FreeLoopbackPort();
        _location = TestEnvironment.NewTempDirectory("azurite");
        await StartAsync();
        var port = _blobPort;
        var tablePort = _tablePort;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
            $"BlobEndpoint=http://127.0.0.1:{port}/{DevAccount};TableEndpoint=http://127.0.0.1:{tablePort}/{DevAccount};";
    }

    /// <summary>
    /// Stops the server the way an orderly restart does (SIGTERM: Azurite saves its metadata and exits); clients meet
    /// refused connections until <see cref="StartAgainAsync"/> starts it on the same ports and folder, data kept.
    /// </summary>
    public void Stop()
    {
        if (_process is { HasExited: false } running)
        {
            using (var term = Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                term!.WaitForExit(TimeSpan.FromSeconds(10));
            }

            if (!running.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("Azurite did not stop within 20 s of SIGTERM");
            }
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server stopped by <see cref="Stop"/> again, on the same ports and folder.</summary>
    public Task StartAgainAsync() => StartAsync();

    private async Task StartAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            .. _launch, "--blobHost", "127.0.0.1", "--blobPort", _blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", _tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", _queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", _location!, "--skipApiVersionCheck", "--loose", "--silent",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        _process = process;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await TestEnvironment.WaitForPortAsync(_blobPort, TimeSpan.FromSeconds(60), () => process.HasExited, "Azurite");
        await TestEnvironment.WaitForPortAsync(_tablePort, TimeSpan.FromSeconds(60), () => process.HasExited, "Azurite tables");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process?.Dispose();
        if (_location is not null)
        {
            TestEnvironment.TryDeleteDirectory(_location);
        }
    }
}
