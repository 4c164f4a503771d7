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
    private int _port;
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
        // azurite.js serves blobs (instances, grain state) and tables (cluster membership, reminders) from one process.
        var main = Path.Combine(TestEnvironment.ToolsDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(main))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed ({main} missing). Run ./test.sh (installs tools/package.json into .tools) " +
                "or: mkdir -p .tools && cp tools/package.json .tools/ && (cd .tools && npm install).");
        }

        _port = TestEnvironment.FreeLoopbackPort();
        _tablePort = TestEnvironment.FreeLoopbackPort();
        _queuePort = TestEnvironment.FreeLoopbackPort();
        _location = TestEnvironment.NewTempDirectory("azurite");
        await StartAsync(main);
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_port}/{DevAccount};TableEndpoint=http://127.0.0.1:{_tablePort}/{DevAccount};";
    }

    /// <summary>Stops the server (its data stays): the storage account becomes unreachable, as a site that went down.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM: Azurite saves its metadata and exits, as a storage account that stops answering (a kill would
            // also lose writes it had acknowledged, which no real account does).
            await ExternalTool.RunAsync("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same ports and data after <see cref="StopAsync"/>; nothing if it runs.</summary>
    public Task RestartAsync() =>
        // A second start on the same ports would fail to bind while the running one, no longer referenced, outlived
        // the test run.
        _process is { HasExited: false }
            ? Task.CompletedTask
            : StartAsync(Path.Combine(TestEnvironment.ToolsDirectory, "node_modules", "azurite", "dist", "src", "azurite.js"));

    private async Task StartAsync(string main)
    {
        var start = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The script and its --disableTelemetry travel together: Azurite must never reach an outside host.
        string[] arguments =
        [
            main, "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
        await TestEnvironment.WaitForPortAsync(_port, TimeSpan.FromSeconds(60), () => process.HasExited, "Azurite");
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
