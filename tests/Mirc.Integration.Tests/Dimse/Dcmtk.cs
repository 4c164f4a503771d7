using Mirc.Integration.Tests.Infra;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>Runs dcmtk tools (installed by ./test.sh) with Nagle off, bounded in time.</summary>
internal static class Dcmtk
{
    private static readonly Dictionary<string, string?> NoNagle = new() { ["TCP_NODELAY"] = "1" };

    public static async Task<CommandResult> RunAsync(string tool, params string[] arguments)
    {
        var path = Path.Combine("/usr/bin", tool);
        Assert.True(File.Exists(path), $"dcmtk's {tool} is missing: run ./test.sh, which installs dcmtk (apt-get install -y dcmtk)");
        return await ExternalCommand.RunAsync(path, arguments, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken,
            workingDirectory: Path.GetTempPath(), environment: NoNagle);
    }

    /// <summary>Runs and asserts a zero exit code, showing the tool's output otherwise.</summary>
    public static async Task<CommandResult> RunOkAsync(string tool, params string[] arguments)
    {
        var result = await RunAsync(tool, arguments);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Combined}");
        return result;
    }
}
