using Microsoft.Extensions.Configuration.Memory;

namespace Mirc.Silo.Hosting;

/// <summary>
/// The log levels a silo runs with when nothing sets them — code defaults, not appsettings.json, so a host started
/// without its settings file (an image with a mounted config folder, a bench script's empty content root) neither writes
/// patient ids to its log nor spends its CPU on per-request and per-activation lines. Any configuration source
/// (appsettings, <c>Logging__LogLevel__…</c> environment variables, the command line) still overrides each entry.
/// </summary>
public static class LogLevelDefaults
{
    /// <summary>Category → minimum level, as the <c>Logging:LogLevel</c> section would say it.</summary>
    public static IReadOnlyDictionary<string, string> Levels { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Default"] = "Information",
        // "Request starting" lines carry query strings: QIDO-RS and WADO-URI put patient ids there.
        ["Microsoft.AspNetCore"] = "Warning",
        ["Orleans"] = "Warning",
        ["Orleans.Runtime.Watchdog"] = "Error",
        // Orleans' placement runs a Polly pipeline whose telemetry logs two Information lines per new activation.
        ["Polly"] = "Warning",
    };

    /// <summary>Adds <see cref="Levels"/> as the first (lowest-precedence) configuration source.</summary>
    public static void AddLogLevelDefaults(this ConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var data = Levels.ToDictionary(l => "Logging:LogLevel:" + l.Key, l => (string?)l.Value, StringComparer.OrdinalIgnoreCase);
        ((IConfigurationBuilder)configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = data });
    }
}
