using System.Net;
using System.Net.Sockets;

namespace Mirc.Testing;

/// <summary>Locations and ports the storage fixtures need.</summary>
public static class TestEnvironment
{
    /// <summary>The repository root (folder holding Mirc.Orleans.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Mirc.Orleans.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"Mirc.Orleans.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Node tools folder: $MIRC_TOOLS_DIR, else &lt;repo&gt;/.tools.</summary>
    public static string ToolsDirectory =>
        Environment.GetEnvironmentVariable("MIRC_TOOLS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepositoryRoot, ".tools");

    /// <summary>A TCP port free on 127.0.0.1 for a server the test starts (see <see cref="LoopbackPorts"/>).</summary>
    public static int FreeLoopbackPort() => LoopbackPorts.Next();

    /// <summary>Polls until something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout, Func<bool> processExited, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (processExited())
            {
                throw new InvalidOperationException($"{what} exited before listening on port {port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"{what} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>A fresh empty temporary folder.</summary>
    public static string NewTempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirc-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder tree, ignoring failures (test cleanup).</summary>
    public static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
