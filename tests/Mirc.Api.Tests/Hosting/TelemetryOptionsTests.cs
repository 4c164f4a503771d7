using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Silo.Hosting;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary><c>Mirc:Telemetry</c> is validated at start-up: a cardinality limit out of range is named, the default passes.</summary>
public sealed class TelemetryOptionsTests
{
    private static TelemetryOptions Resolve(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddConfiguration(Settings.Of(settings));
        builder.AddMircTelemetry();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
    }

    [Fact]
    public void The_default_keeps_256_series_per_metric() => Assert.Equal(256, Resolve().MetricCardinalityLimit);

    [Theory]
    [InlineData("0")]
    [InlineData("15")]
    [InlineData("2001")]
    public void A_cardinality_limit_out_of_range_is_refused_with_its_name(string limit)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(("Mirc:Telemetry:MetricCardinalityLimit", limit)));
        Assert.Contains("MetricCardinalityLimit", refused.Message);
    }
}
