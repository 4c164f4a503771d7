using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mirc.Silo.Health;

/// <summary>Ready once the local silo has joined the cluster and answers a grain call.</summary>
public sealed class SiloActiveHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = oracle.CurrentStatus;
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo {status}"));
    }
}
