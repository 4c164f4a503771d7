using System.Net;
using Azure.Data.Tables;
using Xunit;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>
/// Readiness follows the membership store: silos that can no longer read themselves in the membership table (its
/// storage emptied or lost) stop taking traffic instead of serving as a split cluster.
/// </summary>
public sealed class ClusterMembershipTests(TwoHostCluster cluster) : IClassFixture<TwoHostCluster>
{
    [Fact]
    public async Task Both_silos_are_ready_and_stop_being_ready_when_the_membership_table_is_lost()
    {
        using var httpA = cluster.HostA.CreateClient();
        using var httpB = cluster.HostB.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await httpA.GetAsync("/readyz", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await httpB.GetAsync("/readyz", ct)).StatusCode);

        // The membership and reminder tables vanish (an emptied storage account, a restored-from-nothing emulator).
        var tables = new TableServiceClient(cluster.StorageConnectionString);
        var names = new List<string>();
        await foreach (var table in tables.QueryAsync(cancellationToken: ct)) names.Add(table.Name);
        Assert.NotEmpty(names);
        cluster.MembershipDestroyed = true;
        foreach (var name in names) await tables.DeleteTableAsync(name, ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await httpA.GetAsync("/readyz", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await httpB.GetAsync("/readyz", ct)).StatusCode);
        // Liveness is not readiness: the process itself is fine and must not be restarted in a loop.
        Assert.Equal(HttpStatusCode.OK, (await httpA.GetAsync("/healthz", ct)).StatusCode);
    }
}
