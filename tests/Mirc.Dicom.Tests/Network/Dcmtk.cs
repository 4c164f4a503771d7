using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Runs dcmtk command-line tools with TCP_NODELAY=1 and a hard timeout; kills them on exit.</summary>
internal static class Dcmtk
{
    public static string Require(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException($"dcmtk tool '{tool}' not found on PATH: install dcmtk (./test.sh does it with apt-get)");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = Start(tool, args);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException($"{tool} did not finish within {timeout}: {output}");
        }
        process.WaitForExit(); // drain the output events
        lock (output) return (process.ExitCode, output.ToString());
    }

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
