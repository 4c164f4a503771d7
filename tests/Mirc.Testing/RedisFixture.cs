using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace Mirc.Testing;

/// <summary>
/// A private redis-server (Debian package) on a free loopback port, no persistence, run as a child process and killed
/// at the end.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private Process? _process;
    private string? _directory;

    /// <summary>StackExchange.Redis connection string of the running server.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        const string server = "/usr/bin/redis-server";
        if (!File.Exists(server))
        {
            throw new InvalidOperationException("redis-server is not installed: run ./test.sh or apt-get install -y redis-server.");
        }

        var port = TestEnvironment.FreeLoopbackPort();
        _directory = TestEnvironment.NewTempDirectory("redis");
        var start = new ProcessStartInfo(server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no",
                     "--save", "", "--appendonly", "no", "--dir", _directory,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await TestEnvironment.WaitForPortAsync(port, TimeSpan.FromSeconds(20), () => _process.HasExited, "redis-server");
        ConnectionString = $"127.0.0.1:{port}";
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
        if (_directory is not null)
        {
            TestEnvironment.TryDeleteDirectory(_directory);
        }
    }
}
