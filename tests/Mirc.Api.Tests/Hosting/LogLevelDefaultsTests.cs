using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mirc.Silo.Hosting;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>
/// A silo's log levels hold without appsettings.json: no request lines (they carry patient ids in query strings), no
/// per-activation Polly lines; any configuration source still overrides them.
/// </summary>
public sealed class LogLevelDefaultsTests
{
    private static ILogger Logger(string category, params (string Key, string Value)[] settings)
    {
        // An empty content root: the host reads no settings file, as when started without one.
        var root = Directory.CreateTempSubdirectory("mirc-log-levels-");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.FullName });
            builder.Configuration.AddLogLevelDefaults();
            builder.Configuration.AddConfiguration(Settings.Of(settings));
            var services = builder.Services.BuildServiceProvider();
            return services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information)]
    [InlineData("Polly", LogLevel.Information)]
    [InlineData("Orleans.Runtime.Catalog", LogLevel.Information)]
    [InlineData("Orleans.Runtime.Watchdog", LogLevel.Warning)]
    public void Without_a_settings_file_chatty_categories_stay_quiet(string category, LogLevel level) =>
        Assert.False(Logger(category).IsEnabled(level), $"{category} logs at {level}");

    [Theory]
    [InlineData("Mirc.Grains.Ingest.InstanceIngestor", LogLevel.Information)]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)]
    [InlineData("Orleans.Runtime.Catalog", LogLevel.Warning)]
    [InlineData("Orleans.Runtime.Watchdog", LogLevel.Error)]
    public void Without_a_settings_file_the_archive_and_warnings_are_logged(string category, LogLevel level) =>
        Assert.True(Logger(category).IsEnabled(level), $"{category} does not log at {level}");

    [Fact]
    public void Configuration_overrides_a_default() =>
        Assert.True(Logger("Polly", ("Logging:LogLevel:Polly", "Information")).IsEnabled(LogLevel.Information));
}
