using Mirc.Integration.Tests.Infra;
using Xunit;

namespace Mirc.Integration.Tests.Dimse;

/// <summary>Runs dcmtk tools (installed by ./test.sh) with Nagle off unless asked, bounded in time.</summary>
internal static class Dcmtk
{
    private static readonly Dictionary<string, string?> NoNagle = new() { ["TCP_NODELAY"] = "1" };

    // dcmtk's own default, what a site's scripts and the products built on dcmtk send with.
    private static readonly Dictionary<string, string?> Nagle = new() { ["TCP_NODELAY"] = "0" };

    public static Task<CommandResult> RunAsync(string tool, params string[] arguments) => RunAsync(tool, NoNagle, arguments);

    /// <summary>Runs and asserts a zero exit code, showing the tool's output otherwise.</summary>
    public static Task<CommandResult> RunOkAsync(string tool, params string[] arguments) => RunOkAsync(tool, NoNagle, arguments);

    /// <summary>Like <see cref="RunOkAsync(string, string[])"/>, with Nagle's algorithm on, dcmtk's default.</summary>
    public static Task<CommandResult> RunWithNagleOkAsync(string tool, params string[] arguments) => RunOkAsync(tool, Nagle, arguments);

    private static async Task<CommandResult> RunAsync(string tool, Dictionary<string, string?> environment, string[] arguments)
    {
        var path = Path.Combine("/usr/bin", tool);
        Assert.True(File.Exists(path), $"dcmtk's {tool} is missing: run ./test.sh, which installs dcmtk (apt-get install -y dcmtk)");
        return await ExternalCommand.RunAsync(path, arguments, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken,
            workingDirectory: Path.GetTempPath(), environment: environment);
    }

    private static async Task<CommandResult> RunOkAsync(string tool, Dictionary<string, string?> environment, string[] arguments)
    {
        var result = await RunAsync(tool, environment, arguments);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Combined}");
        return result;
    }
}
