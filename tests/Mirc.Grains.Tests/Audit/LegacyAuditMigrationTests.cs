using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Tests.Security;
using Orleans.Runtime;
using Xunit;

namespace Mirc.Grains.Tests.Audit;

/// <summary>
/// A trail written by the former version (records in 16-record grain-state segments, head in the chain grain) is moved
/// into the store with its hashes unchanged: verification spans the upgrade and new records extend the same chain.
/// </summary>
public sealed class LegacyAuditMigrationTests(SecurityCluster ids) : IClassFixture<SecurityCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Former_segments_are_imported_once_and_the_chain_continues()
    {
        // 40 records over segments 0..2; the head says 36: the former writer crashed between segment and head writes.
        var storage = new InspectableGrainStorage();
        var records = new List<AuditRecord>();
        var previous = AuditCanonicalForm.GenesisHash;
        for (var i = 1; i <= 40; i++)
        {
            var record = AuditCanonicalForm.Seal(i, AuditTrailTests.Event(i, i % 2 == 0 ? "PAT-OLD-A" : "PAT-OLD-B"), previous);
            records.Add(record);
            previous = record.Hash;
        }

        for (var segment = 0; segment < 3; segment++)
        {
            await Write(storage, "auditSegment", ids.Grains.GetGrain<IAuditSegmentGrain>(segment).GetGrainId(),
                new AuditSegmentState { Records = records.Skip(segment * 16).Take(16).ToList() });
        }

        await Write(storage, "auditChain", ids.Grains.GetGrain<IAuditChainGrain>(IAuditChainGrain.SingletonKey).GetGrainId(),
            new AuditChainState { LastSequence = 36, LastHash = records[35].Hash, CurrentSegment = 2, CurrentSegmentCount = 4 });

        var dataPath = Directory.CreateTempSubdirectory("mirc-audit-").FullName;
        await using (var upgraded = new SecurityCluster { Storage = storage, DataPath = dataPath, KeepData = true })
        {
            await upgraded.InitializeAsync();
            await upgraded.Audit.RecordAsync(AuditTrailTests.Event(41, "PAT-NEW"), Ct);

            var verification = await upgraded.Audit.VerifyAsync(Ct);
            Assert.True(verification.IsIntact, verification.Problem);
            Assert.Equal(41, verification.RecordsChecked);
            var old = await upgraded.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-OLD-A" }, Ct);
            Assert.Equal(records.Where(r => r.Event.PatientId == "PAT-OLD-A").Select(r => r.Hash), old.Select(r => r.Hash));
            var next = Assert.Single(await upgraded.Audit.QueryAsync(new AuditFilter { PatientId = "PAT-NEW" }, Ct));
            Assert.Equal((41L, records[^1].Hash), (next.Sequence, next.PreviousHash));
        }

        // A restart does not import again.
        await using var restarted = new SecurityCluster { Storage = storage, DataPath = dataPath };
        await restarted.InitializeAsync();
        await restarted.Audit.RecordAsync(AuditTrailTests.Event(42, "PAT-NEW"), Ct);
        var again = await restarted.Audit.VerifyAsync(Ct);
        Assert.True(again.IsIntact, again.Problem);
        Assert.Equal(42, again.RecordsChecked);
    }

    private static Task Write<T>(InspectableGrainStorage storage, string stateName, GrainId grain, T state) =>
        storage.WriteStateAsync(stateName, grain, new GrainState<T>(state));
}
