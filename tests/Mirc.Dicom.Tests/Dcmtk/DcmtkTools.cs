using Mirc.Testing;
using Xunit;

namespace Mirc.Dicom.Tests.Dcmtk;

/// <summary>Runs dcmtk command-line tools (through <see cref="ExternalTool"/>, 30 s each); fails with a clear message when dcmtk is not installed.</summary>
internal static class DcmtkTools
{
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

    public static Task<ToolResult> RunAsync(string tool, params string[] args) => RunAsync(tool, System.Text.Encoding.Latin1, args);

    public static Task<ToolResult> RunAsync(string tool, System.Text.Encoding outputEncoding, params string[] args)
    {
        RequireInstalled();
        return ExternalTool.RunAsync(Find(tool)!, args, TimeSpan.FromSeconds(30), CancellationToken.None, outputEncoding: outputEncoding);
    }

    /// <summary>Runs a tool and asserts exit code 0 with no warning or error lines.</summary>
    public static Task<ToolResult> RunCleanAsync(string tool, params string[] args) => RunCleanAsync(tool, System.Text.Encoding.Latin1, args);

    /// <summary>Runs a tool and asserts exit code 0 with no warning or error lines.</summary>
    public static async Task<ToolResult> RunCleanAsync(string tool, System.Text.Encoding outputEncoding, params string[] args)
    {
        var r = await RunAsync(tool, outputEncoding, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {r.ExitCode}: {r.StandardError}{r.StandardOutput}");
        var bad = (r.StandardError + "\n" + r.StandardOutput).Split('\n').Where(l => l.StartsWith("W:") || l.StartsWith("E:") || l.StartsWith("F:")).ToList();
        Assert.True(bad.Count == 0, $"{tool} reported: {string.Join("\n", bad)}");
        return r;
    }
}
