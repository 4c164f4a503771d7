using System.Diagnostics;

namespace Mirc.Testing;

/// <summary>Runs an independent tool (dcmtk, dicom3tools, dcm2niix…) to the end, bounded in time.</summary>
public static class ExternalTool
{
    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="args"/> and returns its exit code and output (Latin-1, as DICOM
    /// tools print values); killed, with a <see cref="TimeoutException"/>, after 60 s.
    /// </summary>
    public static async Task<(int Code, string StdOut, string StdErr)> RunAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = System.Text.Encoding.Latin1 };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} could not start (./test.sh installs it)");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 60 s");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
