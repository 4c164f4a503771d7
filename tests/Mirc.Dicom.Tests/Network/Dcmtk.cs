using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mirc.Testing;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Runs dcmtk command-line tools with TCP_NODELAY=1 and a hard timeout; kills them on exit.</summary>
internal static class Dcmtk
{
    private static readonly Dictionary<string, string?> NoNagle = new() { ["TCP_NODELAY"] = "1" };

    public static string Require(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException($"dcmtk tool '{tool}' not found on PATH: install dcmtk (./test.sh does it with apt-get)");
    }

    /// <summary>Runs a tool to the end; its two streams are returned together, as dcmtk logs to either depending on the build.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> args, TimeSpan timeout)
    {
        var run = await ExternalTool.RunAsync(Require(tool), args, timeout, CancellationToken.None, environment: NoNagle);
        return (run.ExitCode, run.Combined);
    }

    /// <summary>Starts a tool that runs alongside the test (storescp); the caller ends it with <see cref="Kill"/>.</summary>
    public static Process Start(string tool, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Require(tool))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["TCP_NODELAY"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {tool}");
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Waits until something listens on the port (dcmtk storescp start-up).</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
