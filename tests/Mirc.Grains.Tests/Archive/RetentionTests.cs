using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Retention;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Tests.Security;
using Xunit;

namespace Mirc.Grains.Tests.Archive;

public sealed class RetentionTests(ArchiveCluster archive) : IClassFixture<ArchiveCluster>
{
    /// <summary>Stores a one-instance study and lets the change-feed follower register it (as it would within seconds).</summary>
    private async Task<string> IngestStudyAsync(string establishment)
    {
        var study = await StoreAsync(establishment);
        await archive.ProjectFeedAsync();
        return study;
    }

    private async Task<string> StoreAsync(string establishment)
    {
        using var stream = new MemoryStream(new SyntheticInstance { PatientId = "RET-" + establishment }.ToPart10());
        var outcome = await archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = establishment } }, TestContext.Current.CancellationToken);
        Assert.Equal(IngestStatus.Stored, outcome.Status);
        return outcome.StudyInstanceUid!;
    }

    /// <summary>Every study the buckets of <paramref name="establishment"/> hold for the days <paramref name="studies"/> were first received.</summary>
    private async Task<SortedSet<string>> RegisteredAsync(string establishment, IEnumerable<string> studies)
    {
        var days = new HashSet<DateOnly>();
        foreach (var study in studies)
        {
            var first = (await archive.Grains.GetGrain<IStudyGrain>(study).GetSummaryAsync()).FirstReceivedAt;
            Assert.NotNull(first);
            days.Add(DateOnly.FromDateTime(first.Value.UtcDateTime));
        }

        var registered = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            for (var shard = 0; shard < RetentionKeys.ShardsPerDay; shard++)
            {
                registered.UnionWith(await archive.Grains.GetGrain<IRetentionBucketGrain>(RetentionKeys.Bucket(establishment, day, shard)).GetStudiesAsync());
            }
        }

        return registered;
    }

    private async Task SetRetentionAsync(string establishment, int years) =>
        await archive.Grains.GetGrain<IEstablishmentGrain>(establishment).SaveAsync(new EstablishmentProfile { EstablishmentId = establishment, Name = establishment, RetentionYears = years });

    private RetentionSweep Sweep(TimeProvider clock, bool dryRun = false) =>
        new(archive.Grains, Options.Create(new RetentionOptions { DryRun = dryRun }), clock, NullLogger<RetentionSweep>.Instance);

    private async Task<StudyStatus> StatusAsync(string study) => (await archive.Grains.GetGrain<IStudyGrain>(study).GetSummaryAsync()).Status;

    [Fact]
    public async Task Studies_are_deleted_only_once_their_establishment_retention_has_passed()
    {
        await SetRetentionAsync("EST-RET1", 1);
        await SetRetentionAsync("EST-RET20", 20);
        var short1 = await IngestStudyAsync("EST-RET1");
        var long20 = await IngestStudyAsync("EST-RET20");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);

        clock.Advance(TimeSpan.FromDays(200));
        var early = await Sweep(clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(short1, early.Expired);
        Assert.NotEqual(StudyStatus.Deleted, await StatusAsync(short1));

        clock.Advance(TimeSpan.FromDays(200));
        var due = await Sweep(clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(short1, due.Expired);
        Assert.DoesNotContain(long20, due.Expired);
        Assert.Empty(due.Failed);
        Assert.Equal(StudyStatus.Deleted, await StatusAsync(short1));
        Assert.NotEqual(StudyStatus.Deleted, await StatusAsync(long20));
        Assert.Null(await archive.Index.GetStudyAsync(short1, TestContext.Current.CancellationToken));
        Assert.Contains(archive.Audit.Durable, e => e.StudyUids.Contains(short1) && e.ActorId == RetentionKeys.Actor);

        var next = await Sweep(clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(short1, next.Expired);
    }

    [Fact]
    public async Task Dry_run_reports_expired_studies_without_deleting_them()
    {
        await SetRetentionAsync("EST-DRY", 2);
        var study = await IngestStudyAsync("EST-DRY");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow.AddYears(2).AddDays(2));

        var report = await Sweep(clock, dryRun: true).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.DryRun);
        Assert.Contains(study, report.Expired);
        Assert.NotEqual(StudyStatus.Deleted, await StatusAsync(study));
        Assert.NotNull(await archive.Index.GetStudyAsync(study, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_stored_study_enters_its_bucket_through_the_feed_and_a_rebuild_registers_the_same_set()
    {
        const string establishment = "EST-RET-FEED";
        var ct = TestContext.Current.CancellationToken;
        var kept = new[] { await StoreAsync(establishment), await StoreAsync(establishment), await StoreAsync(establishment) };
        var deleted = await StoreAsync(establishment);
        await archive.Grains.GetGrain<IStudyGrain>(deleted).DeleteAsync("test", "test");

        // Off the store's path: until the follower runs, no bucket names the new studies.
        Assert.Empty(await RegisteredAsync(establishment, kept));

        await archive.ProjectFeedAsync();

        // Each live study in the bucket of its establishment and first-received day (same day as the deleted one,
        // which is left out).
        var registered = await RegisteredAsync(establishment, kept);
        Assert.Equal(kept.Order(StringComparer.Ordinal), registered);
        var entry = Assert.Single(await archive.Grains.GetGrain<IRetentionScheduleGrain>(RetentionKeys.Schedule).GetAllAsync(), e => e.EstablishmentId == establishment);
        var firstDay = DateOnly.FromDateTime((await archive.Grains.GetGrain<IStudyGrain>(kept[0]).GetSummaryAsync()).FirstReceivedAt!.Value.UtcDateTime).DayNumber;
        Assert.InRange(firstDay, entry.FirstDay, entry.LastDay ?? int.MaxValue);

        // The buckets lost (their grain states deleted), the projection rebuilt from the start of the feed.
        await foreach (var blob in archive.Blobs.ListAsync(archive.Layout.GrainStateContainer, "retention-bucket/", ct))
        {
            if (GrainStateBlobNaming.GrainKeyOf(blob.Key.Name, "retention-bucket") is { } key && key.StartsWith(establishment + "|", StringComparison.Ordinal))
            {
                Assert.True(await archive.Blobs.DeleteAsync(blob.Key, cancellationToken: ct));
                await archive.DeactivateAsync(archive.Grains.GetGrain<IRetentionBucketGrain>(key));
            }
        }

        Assert.Empty(await RegisteredAsync(establishment, kept));
        await archive.Grains.GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key).RewindAsync();
        await archive.ProjectFeedAsync();

        Assert.Equal(registered, await RegisteredAsync(establishment, kept));
    }

    [Fact]
    public async Task A_busy_day_is_kept_in_pages_so_an_add_rewrites_one_page_and_its_erasure_leaves_no_record()
    {
        const int pageSize = RetentionBucketPages.PageSize;
        var ct = TestContext.Current.CancellationToken;
        var key = RetentionKeys.Bucket("EST-RET-PAGES", new DateOnly(2001, 2, 3), 0);
        var bucket = archive.Grains.GetGrain<IRetentionBucketGrain>(key);
        var uids = Enumerable.Range(0, 2 * pageSize + 300).Select(i => $"1.2.826.0.1.3680043.10.543.{i}").ToArray();
        foreach (var batch in uids.Chunk(250))
        {
            await bucket.AddAsync(batch);
        }

        // Two sealed pages of their own, and the bucket's record holds the open page only: an add rewrites at most a page.
        var records = await RecordsAsync(key, ct);
        Assert.Equal(["retention-bucket", "retention-bucket-page-0", "retention-bucket-page-1"], records.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(records["retention-bucket"].Length, 1, records["retention-bucket-page-0"].Length / 2);

        // Re-adding studies of a sealed page writes nothing; a restart finds every study once.
        await bucket.AddAsync(uids[..10]);
        Assert.Equal(records["retention-bucket"].ETag, (await RecordsAsync(key, ct))["retention-bucket"].ETag);
        await archive.DeactivateAsync(bucket);
        Assert.Equal(uids.Order(StringComparer.Ordinal), (await bucket.GetStudiesAsync()).Order(StringComparer.Ordinal));

        // Erased (none of these studies exists: each erasure is a no-op that succeeds), every record goes.
        var erasure = await bucket.ExpireAsync("test");
        Assert.Equal(uids.Length, erasure.Erased.Count);
        Assert.Empty(erasure.Pending);
        Assert.Empty(await RecordsAsync(key, ct));
        Assert.Empty(await bucket.GetStudiesAsync());
    }

    [Fact]
    public async Task A_bucket_written_whole_before_pages_keeps_its_studies_and_seals_them_at_its_next_add()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = RetentionKeys.Bucket("EST-RET-LEGACY", new DateOnly(2001, 2, 4), 1);
        var bucket = archive.Grains.GetGrain<IRetentionBucketGrain>(key);
        var uids = Enumerable.Range(0, RetentionBucketPages.PageSize + 500).Select(i => $"1.2.826.0.1.3680043.10.544.{i}").ToArray();

        // As the former bucket wrote it: every study in its own record.
        var storage = archive.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(Mirc.Grains.Storage.StorageProviders.Archive);
        var former = new GrainState<RetentionBucketState>(new RetentionBucketState { Studies = new(uids, StringComparer.Ordinal) });
        await storage.WriteStateAsync("retention-bucket", bucket.GetGrainId(), former);
        Assert.Equal(uids.Order(StringComparer.Ordinal), (await bucket.GetStudiesAsync()).Order(StringComparer.Ordinal));

        await bucket.AddAsync(["1.2.826.0.1.3680043.10.544.new"]);
        var records = await RecordsAsync(key, ct);
        Assert.Equal(["retention-bucket", "retention-bucket-page-0"], records.Keys.Order(StringComparer.Ordinal));
        await archive.DeactivateAsync(bucket);
        Assert.Equal(uids.Append("1.2.826.0.1.3680043.10.544.new").Order(StringComparer.Ordinal), (await bucket.GetStudiesAsync()).Order(StringComparer.Ordinal));
    }

    /// <summary>The grain-state records of retention bucket <paramref name="key"/>, by state name.</summary>
    private async Task<Dictionary<string, Mirc.Grains.Storage.Blobs.BlobProperties>> RecordsAsync(string key, CancellationToken ct)
    {
        var records = new Dictionary<string, Mirc.Grains.Storage.Blobs.BlobProperties>(StringComparer.Ordinal);
        await foreach (var blob in archive.Blobs.ListAsync(archive.Layout.GrainStateContainer, "retention-bucket", ct))
        {
            var stateName = blob.Key.Name[..blob.Key.Name.IndexOf('/', StringComparison.Ordinal)];
            if (GrainStateBlobNaming.GrainKeyOf(blob.Key.Name, stateName) == key)
            {
                records.Add(stateName, blob);
            }
        }

        return records;
    }

    [Fact]
    public void Bucket_shards_are_stable_and_spread_studies()
    {
        var uids = Enumerable.Range(0, 400).Select(i => $"1.2.3.{i}").ToArray();
        var shards = uids.Select(RetentionKeys.Shard).ToArray();

        Assert.All(shards, s => Assert.InRange(s, 0, RetentionKeys.ShardsPerDay - 1));
        Assert.Equal(shards, uids.Select(RetentionKeys.Shard));
        Assert.Equal(RetentionKeys.ShardsPerDay, shards.Distinct().Count());
        Assert.Equal("E|20261124|3", RetentionKeys.Bucket("E", new DateOnly(2026, 11, 24), 3));
    }

    [Fact]
    public async Task Zero_retention_keeps_studies_forever()
    {
        await SetRetentionAsync("EST-KEEP", 0);
        var study = await IngestStudyAsync("EST-KEEP");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow.AddYears(150));

        var report = await Sweep(clock, dryRun: true).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.DoesNotContain(study, report.Expired);
    }
}
