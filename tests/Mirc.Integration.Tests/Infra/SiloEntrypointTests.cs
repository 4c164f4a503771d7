using Mirc.Testing;
using Xunit;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// The container entrypoint (<c>infra/docker/silo-entrypoint.sh</c>) run with a stand-in <c>dotnet</c> on PATH that
/// prints what it was given, and a hosts file like the one Kubernetes / Container Apps write for the replica.
/// </summary>
public sealed class SiloEntrypointTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mirc-entrypoint-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("AzureStorage")] // the shipped deployments
    [InlineData("azurestorage")] // the silo binds the mode case-insensitively
    public async Task Cluster_mode_advertises_the_address_the_platform_gave_this_host_name(string mode)
    {
        var result = await RunAsync(new() { ["Mirc__Cluster__Mode"] = mode });
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("advertised=10.244.7.19", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("args=/app/Mirc.Silo.dll --urls-ignored", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_set_by_the_platform_is_kept()
    {
        var result = await RunAsync(new() { ["Mirc__Cluster__Mode"] = "AzureStorage", ["Mirc__Cluster__AdvertisedAddress"] = "10.1.1.1" });
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("advertised=10.1.1.1", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Localhost")]
    [InlineData(null)] // unset: the silo's default, Localhost
    public async Task Localhost_mode_sets_no_address(string? mode)
    {
        var result = await RunAsync(new() { ["Mirc__Cluster__Mode"] = mode });
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("advertised=<unset>", result.StandardOutput, StringComparison.Ordinal);
    }

    private async Task<ToolResult> RunAsync(Dictionary<string, string?> settings)
    {
        var ct = TestContext.Current.CancellationToken;
        var self = (await File.ReadAllTextAsync("/proc/sys/kernel/hostname", ct)).Trim();
        var hosts = Path.Combine(_folder.FullName, "hosts");
        await File.WriteAllTextAsync(hosts,
            $"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.244.7.19\t{self}\n", ct);

        var bin = Directory.CreateDirectory(Path.Combine(_folder.FullName, "bin"));
        var dotnet = Path.Combine(bin.FullName, "dotnet");
        await File.WriteAllTextAsync(dotnet,
            "#!/bin/sh\necho \"advertised=${Mirc__Cluster__AdvertisedAddress:-<unset>}\"\necho \"args=$*\"\n", ct);
        Assert.SkipWhen(OperatingSystem.IsWindows(), "the entrypoint is a Linux container script");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var environment = new Dictionary<string, string?>(settings)
        {
            ["MIRC_HOSTS_FILE"] = hosts,
            ["MIRC_APP_DIR"] = null, // the image's /app
            ["PATH"] = bin.FullName + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        if (!settings.ContainsKey("Mirc__Cluster__AdvertisedAddress"))
        {
            environment["Mirc__Cluster__AdvertisedAddress"] = null;
        }

        return await ExternalTool.RunAsync("sh",
            [RepositoryRoot.Combine("infra", "docker", "silo-entrypoint.sh"), "--urls-ignored"], TimeSpan.FromSeconds(30), ct,
            RepositoryRoot.Path, environment, outputEncoding: System.Text.Encoding.UTF8);
    }
}
