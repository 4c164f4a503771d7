using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>An archive whose follower runs on its own (timer every 100 ms, events applied at once).</summary>
public sealed class RunningFollowerArchive : IAsyncLifetime
{
    public RunningFollowerArchive()
    {
        Archive.Settings["Mirc:ChangeFeed:Follower:Enabled"] = "true";
        Archive.Settings["Mirc:ChangeFeed:Follower:PollInterval"] = "00:00:00.100";
        Archive.Settings["Mirc:ChangeFeed:Follower:SettleDelay"] = "00:00:00";
        Archive.DecorateIndex = inner => new StallingIndex(inner, Stall);
    }

    public ArchiveCluster Archive { get; } = new();

    public IndexStall Stall { get; } = new();

    public ValueTask InitializeAsync() => Archive.InitializeAsync();

    public ValueTask DisposeAsync() => Archive.DisposeAsync();
}

/// <summary>
/// The follower as it runs in a silo: started with the silo (backfill once, recorded), it makes an instance whose ingest
/// stopped after the manifest commit findable without being asked, and agrees with the manifest once that ingest ends.
/// </summary>
public sealed class ChangeFeedFollowerBackgroundTests(RunningFollowerArchive fixture) : IClassFixture<RunningFollowerArchive>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ArchiveCluster Archive => fixture.Archive;

    private IChangeFeedFollowerGrain Follower => Archive.Grains.GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);

    [Fact]
    public async Task The_follower_starts_with_the_silo_backfills_once_and_repairs_a_stopped_ingest_on_its_own()
    {
        var backfilledAt = await EventuallyAsync(async () => (await Follower.GetStatusAsync()).BackfilledAt);

        var instance = new SyntheticInstance { PatientId = "FOLLOW-BG" };
        fixture.Stall.Arm(instance.SopUid);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var ingest = Task.Run(async () =>
        {
            using var stream = new MemoryStream(instance.ToPart10());
            return await Archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = "EST-BG" } }, stopped.Token);
        }, Ct);
        await fixture.Stall.Reached.WaitAsync(Bound, Ct);

        // Nobody asks the follower: its timer finds the committed instance and indexes it.
        await EventuallyAsync(async () => await RowsAsync(instance.StudyUid) == 1 ? true : (bool?)null);

        await stopped.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => ingest.WaitAsync(Bound, Ct));
        fixture.Stall.Disarm();
        var study = Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);
        await EventuallyAsync(async () =>
            (await study.GetInstanceAsync(instance.SopUid) is not null) == (await RowsAsync(instance.StudyUid) == 1) && (await Follower.GetStatusAsync()).Lag == 0 ? true : (bool?)null);

        // The start-up backfill is recorded: a restart does not walk the manifests again.
        await Archive.RestartAsync();
        Assert.Equal(backfilledAt, (await Follower.GetStatusAsync()).BackfilledAt);
    }

    private async Task<long> RowsAsync(string study) =>
        await Archive.Index.CountAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All) { Matches = new Dictionary<uint, string> { [IndexTags.StudyInstanceUid] = study } }, Ct);

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
        where T : struct
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "not reached within " + Bound);
            await Task.Delay(50, Ct);
        }
    }
}
