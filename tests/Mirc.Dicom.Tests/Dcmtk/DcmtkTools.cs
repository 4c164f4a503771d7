using System.Diagnostics;
using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>Runs dcmtk command-line tools; fails with a clear message when dcmtk is not installed.</summary>
internal static class DcmtkTools
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static void RequireInstalled()
    {
        foreach (var tool in new[] { "dcmdump", "dump2dcm", "dcmconv", "dcm2xml", "img2dcm", "dcmcjpeg", "dcmcjpls", "dcmcrle" })
        {
            Assert.True(Find(tool) is not null,
                $"dcmtk tool '{tool}' not found on PATH: install dcmtk (apt-get install -y dcmtk) or run ./test.sh which installs it.");
        }
    }

    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static Task<Result> RunAsync(string tool, params string[] args) => RunAsync(tool, System.Text.Encoding.Latin1, args);

    public static async Task<Result> RunAsync(string tool, System.Text.Encoding outputEncoding, params string[] args)
    {
        RequireInstalled();
        var psi = new ProcessStartInfo(Find(tool)!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = outputEncoding,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 30 s");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a tool and asserts exit code 0 with no warning or error lines.</summary>
    public static Task<Result> RunCleanAsync(string tool, params string[] args) => RunCleanAsync(tool, System.Text.Encoding.Latin1, args);

    /// <summary>Runs a tool and asserts exit code 0 with no warning or error lines.</summary>
    public static async Task<Result> RunCleanAsync(string tool, System.Text.Encoding outputEncoding, params string[] args)
    {
        var r = await RunAsync(tool, outputEncoding, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {r.ExitCode}: {r.StdErr}{r.StdOut}");
        var bad = (r.StdErr + "\n" + r.StdOut).Split('\n').Where(l => l.StartsWith("W:") || l.StartsWith("E:") || l.StartsWith("F:")).ToList();
        Assert.True(bad.Count == 0, $"{tool} reported: {string.Join("\n", bad)}");
        return r;
    }
}
