using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>
/// Recording returns only once the record is durable: a caller (which responds after recording) is never released by a
/// record that a crash could still lose. Each test runs its own silo, since they stop or break the commit path.
/// </summary>
public sealed class AuditDurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Record_returns_only_once_its_commit_is_in_the_database()
    {
        await using var cluster = await StartAsync(new SecurityCluster());
        var reached = cluster.AuditStore.HoldCommits();
        var recording = cluster.Audit.RecordAsync(AuditTrailTests.Event(1, "PAT-HELD"), Ct).AsTask();
        await reached.WaitAsync(Ct);

        // The commit is held: the caller is still waiting and the record is not in the database.
        Assert.False(recording.IsCompleted);
        Assert.Empty(await cluster.AuditStore.ReadAsync(new AuditFilter { PatientId = "PAT-HELD" }, 0, 10, Ct));

        cluster.AuditStore.Release();
        await recording;
        Assert.Single(await cluster.AuditStore.ReadAsync(new AuditFilter { PatientId = "PAT-HELD" }, 0, 10, Ct));
    }

    [Fact]
    public async Task A_failing_store_fails_the_caller_and_the_trail_resumes_intact()
    {
        await using var cluster = await StartAsync(new SecurityCluster());
        await cluster.Audit.RecordAsync(AuditTrailTests.Event(1, "PAT-BEFORE"), Ct);
        cluster.AuditStore.FailWith = new IOException("disk full");

        await Assert.ThrowsAsync<AuditNotDurableException>(() => cluster.Audit.RecordAsync(AuditTrailTests.Event(2, "PAT-LOST"), Ct).AsTask());

        cluster.AuditStore.FailWith = null;
        await cluster.Audit.RecordAsync(AuditTrailTests.Event(3, "PAT-AFTER"), Ct);
        Assert.Empty(await cluster.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-LOST" }, Ct));
        var verification = await cluster.Audit.VerifyAsync(Ct);
        Assert.True(verification.IsIntact, verification.Problem);
    }

    [Fact]
    public async Task Once_the_writer_stopped_a_late_record_is_refused_at_once_instead_of_waiting_forever()
    {
        await using var cluster = await StartAsync(new SecurityCluster());
        await cluster.Audit.RecordAsync(AuditTrailTests.Event(1, "PAT-BEFORE-STOP"), Ct);
        var writer = cluster.SiloServices.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<AuditTrailWriter>().Single();
        await writer.StopAsync(Ct);

        // A grain deactivating during shutdown records: it must not hold the host's stop until its timeout.
        var late = cluster.Audit.RecordAsync(AuditTrailTests.Event(2, "PAT-AFTER-STOP"), Ct).AsTask();
        await Assert.ThrowsAsync<AuditNotDurableException>(() => late.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Single(await cluster.AuditStore.ReadAsync(new AuditFilter { PatientId = "PAT-BEFORE-STOP" }, 0, 10, Ct));
    }

    [Fact]
    public async Task After_a_crash_between_response_and_commit_every_acknowledged_access_is_in_the_restarted_trail()
    {
        var first = await StartAsync(new SecurityCluster { KeepData = true });
        string dataPath = first.DataPath;
        var storage = first.Storage;
        var acknowledged = new List<int>();
        var inFlight = new List<(int Id, Task Recording)>();
        try
        {
            // Accesses acknowledged before the crash (each caller would have responded after its await).
            await Task.WhenAll(Enumerable.Range(1, 200).Select(async i =>
            {
                await first.Audit.RecordAsync(Access(i), Ct);
                lock (acknowledged) acknowledged.Add(i);
            }));

            // Then the commit path dies while a batch is on its way to the database.
            var reached = first.AuditStore.HoldCommits();
            inFlight.AddRange(Enumerable.Range(201, 50).Select(i => (i, first.Audit.RecordAsync(Access(i), Ct).AsTask())));
            await reached.WaitAsync(Ct);
            first.AuditStore.Crash();
            foreach (var (_, recording) in inFlight)
            {
                await Assert.ThrowsAsync<AuditNotDurableException>(() => recording);
            }
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Restart on the same database: every acknowledged access is there, no in-flight one was acknowledged.
        await using var second = await StartAsync(new SecurityCluster { DataPath = dataPath, Storage = storage });
        var stored = (await second.Audit.QueryAsync(new AuditFilter { ActorId = "crash-test", Limit = 10_000 }, Ct))
            .Select(r => int.Parse(r.Event.Detail!, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.DoesNotContain(acknowledged, i => !stored.Contains(i));
        Assert.Equal(200, acknowledged.Count);
        Assert.All(inFlight, f => Assert.False(f.Recording.IsCompletedSuccessfully));
        var verification = await second.Audit.VerifyAsync(Ct);
        Assert.True(verification.IsIntact, verification.Problem);
    }

    private static AuditEvent Access(int i) => AuditTrailTests.Event(i, "PAT-CRASH") with
    {
        ActorId = "crash-test",
        Action = AuditAction.Retrieve,
        Detail = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<SecurityCluster> StartAsync(SecurityCluster cluster)
    {
        await cluster.InitializeAsync();
        return cluster;
    }
}
