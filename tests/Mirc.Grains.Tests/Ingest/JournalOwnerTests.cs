using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;
using Mirc.Grains.Tests.Archive;
using Orleans.Runtime;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

/// <summary>
/// Journal slots name the silo that writes them: the survivors settle a dead silo's in-flight ingests at once (not when
/// it restarts, not after an age threshold), and leave a live silo's slots alone however old (it may be undoing them).
/// </summary>
public sealed class JournalOwnerTests : IAsyncLifetime
{
    private static readonly SiloAddress DeadSilo = SiloAddress.New(IPAddress.Loopback, 21111, 1);
    private static readonly SiloAddress LiveSilo = SiloAddress.New(IPAddress.Loopback, 21112, 2);
    private readonly ArchiveCluster _archive = new();

    public ValueTask InitializeAsync() => _archive.InitializeAsync();

    public ValueTask DisposeAsync() => _archive.DisposeAsync();

    [Fact]
    public void A_slot_name_carries_its_silo_address_generation_included()
    {
        var tag = IngestJournalSlotOwner.Tag(DeadSilo);
        Assert.Equal(DeadSilo, IngestJournalSlotOwner.Parse($"journal/{tag}0123abcd-0001.json"));
        Assert.Null(IngestJournalSlotOwner.Parse("journal/0123abcd-0001.json"));
        Assert.Null(IngestJournalSlotOwner.Parse("journal/szz~0001.json"));
        Assert.Equal(string.Empty, IngestJournalSlotOwner.Tag(null));
    }

    [Fact]
    public async Task A_dead_silos_intents_are_settled_at_once_and_a_live_silos_are_left_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var orphaned = await PromotedWithoutRegistrationAsync("OWNER-DEAD", DeadSilo, ct);
        var inFlight = await PromotedWithoutRegistrationAsync("OWNER-LIVE", LiveSilo, ct);
        var services = _archive.Services;
        // The default age threshold (minutes): only the membership can make these fresh slots reconcilable.
        var reconciler = new IngestReconciler(
            _archive.Blobs, _archive.Layout, services.GetRequiredService<IngestJournal>(), services.GetRequiredService<FailedIngestUndo>(),
            services.GetRequiredService<PatientResolver>(), services.GetRequiredService<InstanceRegistrar>(), _archive.Grains,
            Options.Create(new IngestOptions { ReconcileOlderThan = TimeSpan.FromMinutes(5) }), NullLogger<IngestReconciler>.Instance,
            membership: new FixedMembership(new() { [DeadSilo] = SiloStatus.Dead, [LiveSilo] = SiloStatus.Active }));

        var report = await reconciler.ReconcileAsync(ct);

        Assert.Equal(1, report.Completed);
        Assert.Equal(0, report.Dropped);
        Assert.NotNull(await _archive.Grains.GetGrain<IStudyGrain>(orphaned.StudyUid).GetInstanceAsync(orphaned.SopUid));
        Assert.Null(await _archive.Grains.GetGrain<IStudyGrain>(inFlight.StudyUid).GetInstanceAsync(inFlight.SopUid));
        var slots = await _archive.Blobs.ListAsync(_archive.Layout.StagingContainer, "journal/", ct).Select(b => b.Key.Name).ToListAsync(ct);
        Assert.DoesNotContain(slots, s => IngestJournalSlotOwner.Parse(s) == DeadSilo);
        Assert.Contains(slots, s => IngestJournalSlotOwner.Parse(s) == LiveSilo);
    }

    [Fact]
    public async Task A_former_incarnation_of_this_silo_unknown_to_the_membership_is_settled_at_once_another_silo_by_age()
    {
        // The embedded default's membership forgets a silo that crashed; restarted on the same endpoint, the membership
        // counts the former one dead (a successor holds its endpoint). An unlisted silo on another endpoint may just be
        // unknown yet: it goes by age.
        var ct = TestContext.Current.CancellationToken;
        var self = SiloAddress.New(IPAddress.Loopback, 21113, 5);
        var former = await PromotedWithoutRegistrationAsync("OWNER-FORMER", SiloAddress.New(IPAddress.Loopback, 21113, 4), ct);
        var unlisted = await PromotedWithoutRegistrationAsync("OWNER-UNLISTED", SiloAddress.New(IPAddress.Loopback, 21114, 4), ct);
        var services = _archive.Services;
        var reconciler = new IngestReconciler(
            _archive.Blobs, _archive.Layout, services.GetRequiredService<IngestJournal>(), services.GetRequiredService<FailedIngestUndo>(),
            services.GetRequiredService<PatientResolver>(), services.GetRequiredService<InstanceRegistrar>(), _archive.Grains,
            Options.Create(new IngestOptions { ReconcileOlderThan = TimeSpan.FromMinutes(5) }), NullLogger<IngestReconciler>.Instance,
            membership: new FixedMembership(new() { [self] = SiloStatus.Active }));

        var report = await reconciler.ReconcileAsync(ct);

        Assert.Equal(1, report.Completed);
        Assert.NotNull(await _archive.Grains.GetGrain<IStudyGrain>(former.StudyUid).GetInstanceAsync(former.SopUid));
        Assert.Null(await _archive.Grains.GetGrain<IStudyGrain>(unlisted.StudyUid).GetInstanceAsync(unlisted.SopUid));
    }

    /// <summary>A crash after "journal + promote": the blob at its final key, an intent in a journal of <paramref name="silo"/>.</summary>
    private async Task<SyntheticInstance> PromotedWithoutRegistrationAsync(string patientId, SiloAddress silo, CancellationToken ct)
    {
        var instance = new SyntheticInstance { PatientId = patientId };
        var key = _archive.Layout.GetInstanceKey(instance.StudyUid, instance.SeriesUid, instance.SopUid);
        await _archive.Blobs.WriteAsync(key, new MemoryStream(instance.ToPart10()), cancellationToken: ct);
        await new IngestJournal(_archive.Blobs, _archive.Layout, silo: silo).WriteAsync(new IngestJournalRecord(key.Container, key.Name, "EST-Z", null, null, DateTimeOffset.UtcNow), ct);
        return instance;
    }

    private sealed class FixedMembership(Dictionary<SiloAddress, SiloStatus> statuses) : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; } = new(
            statuses.ToImmutableDictionary(s => s.Key, s => new ClusterMember(s.Key, s.Value, s.Key.ToString())), new MembershipVersion(1));

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
