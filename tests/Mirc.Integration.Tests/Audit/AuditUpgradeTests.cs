using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Storage;
using Mirc.Integration.Tests.Hosting;
using Orleans.Storage;
using Xunit;

namespace Mirc.Integration.Tests.Audit;

/// <summary>
/// A data folder of the former version (trail in grain-state segments through the real file-system grain storage, no
/// audit.db) keeps working: the restarted host imports its trail, verifies it and extends the same chain.
/// </summary>
public sealed class AuditUpgradeTests : IDisposable
{
    private readonly TempDataFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_former_versions_trail_is_imported_verified_and_extended()
    {
        var ct = TestContext.Current.CancellationToken;
        var records = new List<AuditRecord>();
        var previous = AuditCanonicalForm.GenesisHash;
        for (var i = 1; i <= 600; i++)
        {
            var record = AuditCanonicalForm.Seal(i, new AuditEvent
            {
                Timestamp = new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero).AddSeconds(i),
                Action = AuditAction.Retrieve,
                ActorId = "ae:OLDWS",
                PatientId = "PAT-UPGRADE-" + (i % 3),
                StudyUids = ["1.2.826.0.1.3680043.10.1311.99." + i],
                Detail = "C-GET: 1 instance(s)",
            }, previous);
            records.Add(record);
            previous = record.Hash;
        }

        // Written as the former version did: 512-record segments, then the head, through the archive grain storage.
        await using (var former = new MircHostFactory(_data.Path))
        {
            _ = former.Server;
            var storage = former.Services.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive);
            var grains = former.Services.GetRequiredService<IGrainFactory>();
            for (var segment = 0; segment < 2; segment++)
            {
                await storage.WriteStateAsync("auditSegment", grains.GetGrain<IAuditSegmentGrain>(segment).GetGrainId(),
                    new GrainState<AuditSegmentState>(new AuditSegmentState { Records = records.Skip(segment * 512).Take(512).ToList() }));
            }

            await storage.WriteStateAsync("auditChain", grains.GetGrain<IAuditChainGrain>(IAuditChainGrain.SingletonKey).GetGrainId(),
                new GrainState<AuditChainState>(new AuditChainState { LastSequence = 600, LastHash = records[^1].Hash, CurrentSegment = 1, CurrentSegmentCount = 88 }));
        }

        // The former version had no audit database.
        foreach (var file in Directory.GetFiles(_data.Path, "audit.db*"))
        {
            File.Delete(file);
        }

        await using var upgraded = new MircHostFactory(_data.Path);
        _ = upgraded.Server;
        var audit = upgraded.Services.GetRequiredService<IAuditTrail>();
        await audit.RecordAsync(new AuditEvent { Timestamp = DateTimeOffset.UtcNow, Action = AuditAction.Query, ActorId = "ae:NEWWS", PatientId = "PAT-UPGRADE-1" }, ct);

        var verification = await audit.VerifyAsync(ct);
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.True(verification.RecordsChecked >= 601, $"{verification.RecordsChecked} records checked");
        var report = await audit.GetPatientAccessReportAsync("PAT-UPGRADE-1", ct);
        Assert.Equal(201, report.Count);
        Assert.Equal(records.Where(r => r.Event.PatientId == "PAT-UPGRADE-1").Select(r => r.Event.StudyUids[0]),
            report.Where(e => e.Who == "ae:OLDWS").Select(e => e.StudyUids[0]));
        var first = Assert.Single(await audit.QueryAsync(new AuditFilter { ActorId = "ae:NEWWS" }, ct));
        Assert.True(first.Sequence > 600);
    }
}
