using System.Text;
using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>Runs dcmtk tools (installed by ./test.sh) through <see cref="ExternalTool"/> with Nagle off; output read as UTF-8, the
/// character set of the test studies that findscu prints.</summary>
internal static class Dcmtk
{
    private static readonly Dictionary<string, string?> NoNagle = new() { ["TCP_NODELAY"] = "1" };

    public static async Task<ToolResult> RunAsync(string tool, params string[] arguments)
    {
        var path = Path.Combine("/usr/bin", tool);
        Assert.True(File.Exists(path), $"dcmtk's {tool} is missing: run ./test.sh, which installs dcmtk (apt-get install -y dcmtk)");
        return await ExternalTool.RunAsync(path, arguments, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken,
            workingDirectory: Path.GetTempPath(), environment: NoNagle, outputEncoding: Encoding.UTF8);
    }

    /// <summary>Runs and asserts a zero exit code, showing the tool's output otherwise.</summary>
    public static async Task<ToolResult> RunOkAsync(string tool, params string[] arguments)
    {
        var result = await RunAsync(tool, arguments);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Combined}");
        return result;
    }
}
