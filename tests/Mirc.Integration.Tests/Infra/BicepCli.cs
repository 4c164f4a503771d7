using Mirc.Testing;

namespace Mirc.Integration.Tests.Infra;

/// <summary>
/// The Bicep compiler from the NuGet package Azure.Bicep.CommandLine.linux-x64, found in the NuGet cache or
/// fetched there by restoring a throw-away project with a PackageDownload (no build, no network beyond NuGet).
/// </summary>
public static class BicepCli
{
    public const string Version = "0.49.2";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> LocateAsync(CancellationToken cancellationToken)
    {
        var path = ExpectedPath();
        if (File.Exists(path))
        {
            return path;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                await DownloadAsync(cancellationToken);
            }
        }
        finally
        {
            Gate.Release();
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException("restore did not produce the Bicep CLI", path);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static string ExpectedPath()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        return Path.Combine(packages, "azure.bicep.commandline.linux-x64", Version, "tools", "bicep");
    }

    private static async Task DownloadAsync(CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("mirc-bicep-");
        try
        {
            var project = Path.Combine(folder.FullName, "bicep-download.csproj");
            await File.WriteAllTextAsync(project, $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[{Version}]" />
                  </ItemGroup>
                </Project>
                """, cancellationToken);
            var restore = await ExternalTool.RunAsync("dotnet", ["restore", project, "--nologo"], TimeSpan.FromMinutes(5),
                cancellationToken, folder.FullName);
            if (restore.ExitCode != 0)
            {
                throw new InvalidOperationException("restoring the Bicep CLI failed: " + restore.Combined);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
