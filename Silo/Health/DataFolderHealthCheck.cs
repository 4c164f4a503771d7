using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mirc.Silo.Hosting;

namespace Mirc.Silo.Health;

/// <summary>Ready only while the data folder accepts a durable write.</summary>
public sealed class DataFolderHealthCheck(IOptions<MircHostOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetFullPath(options.Value.DataPath);
        var probe = Path.Combine(folder, $".ready-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy($"data folder {folder} writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"data folder {folder} not writable: {ex.Message}");
        }
    }
}
