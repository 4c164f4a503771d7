using Microsoft.Extensions.Configuration.Json;

namespace Mirc.Silo.Hosting;

/// <summary>
/// The embedded demo — establishment 750000001 with dcmtk's AE titles, the <c>radiologue</c> account, the anonymous
/// loopback dashboard — lives in <c>appsettings.demo.json</c>. The build puts it next to the silo (<c>dotnet run</c>,
/// tests, the README walkthrough) but <c>dotnet publish</c> leaves it out (Mirc.Silo.csproj), so an image or any other
/// published deployment never seeds demo devices or accounts.
/// </summary>
public static class DemoSettings
{
    public const string FileName = "appsettings.demo.json";

    /// <summary>
    /// Adds the demo file, when present, right after the appsettings files: environment variables and the command line
    /// still override it.
    /// </summary>
    public static void AddDemoSettings(this ConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationBuilder builder = configuration;
        var source = new JsonConfigurationSource { Path = FileName, Optional = true, ReloadOnChange = false, FileProvider = builder.GetFileProvider() };
        var sources = builder.Sources;
        var lastSettingsFile = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } && path.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                lastSettingsFile = i;
            }
        }

        sources.Insert(lastSettingsFile + 1, source);
    }
}
