using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mirc.Silo.Health;

/// <summary>
/// Ready only while the membership table is readable and lists this silo as active. A silo whose table was lost
/// (its storage emptied or restored from nothing) or that the cluster declared dead must stop taking traffic:
/// a load balancer that keeps sending it requests splits the archive in two.
/// </summary>
public sealed class MembershipHealthCheck(IMembershipTable table, ILocalSiloDetails self) : IHealthCheck
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        MembershipTableData data;
        try
        {
            data = await table.ReadAllAsync().WaitAsync(ReadTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"membership table unreadable: {ex.Message}");
        }

        var mine = data.Members.Select(m => m.Item1).FirstOrDefault(m => m.SiloAddress.Equals(self.SiloAddress));
        if (mine is null) return HealthCheckResult.Unhealthy($"silo {self.SiloAddress} is missing from the membership table (table lost or emptied)");
        if (mine.Status != SiloStatus.Active) return HealthCheckResult.Unhealthy($"silo {self.SiloAddress} is {mine.Status} in the membership table");
        return HealthCheckResult.Healthy($"{data.Members.Count(m => m.Item1.Status == SiloStatus.Active)} active silo(s) in the membership table");
    }
}
