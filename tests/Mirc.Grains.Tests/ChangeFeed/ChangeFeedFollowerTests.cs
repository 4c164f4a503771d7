using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Indexing;
using Mirc.Grains.Ingest;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Tests.Archive;
using Xunit;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>An archive whose index writes for one armed instance stall (the silo "dies" between manifest commit and index write).</summary>
public sealed class FollowerArchive : IAsyncLifetime
{
    public FollowerArchive()
    {
        Archive.Settings["Mirc:ChangeFeed:Follower:SettleDelay"] = "00:00:00";
        Archive.Settings["Mirc:ChangeFeed:Follower:BatchSize"] = "7";
        Archive.DecorateIndex = inner => new StallingIndex(inner, Stall);
    }

    public ArchiveCluster Archive { get; } = new();

    public IndexStall Stall { get; } = new();

    public ValueTask InitializeAsync() => Archive.InitializeAsync();

    public ValueTask DisposeAsync() => Archive.DisposeAsync();
}

/// <summary>
/// The follower keeps the query index and the patients' study lists on the feed: it restores what was lost behind the
/// archive's back, makes an instance whose ingest stopped after the manifest commit findable (whole, never half), keeps
/// its checkpoint across a restart, projects backfilled studies stored without a feed, and rebuilds the index from
/// scratch with the same answers.
/// </summary>
public sealed class ChangeFeedFollowerTests(FollowerArchive fixture) : IClassFixture<FollowerArchive>
{
    private const string Establishment = "EST-FOLLOW";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ArchiveCluster Archive => fixture.Archive;

    private IChangeFeed Feed => Archive.Services.GetRequiredService<IChangeFeed>();

    private IChangeFeedFollowerGrain Follower => Archive.Grains.GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);

    [Fact]
    public async Task A_lost_index_row_and_patient_link_are_restored_by_following_the_feed()
    {
        await CatchUpAsync();
        var study = SyntheticInstance.NewUid();
        var instances = Enumerable.Range(1, 2).Select(n => new SyntheticInstance { StudyUid = study, PatientId = "FOLLOW-LOST", InstanceNumber = n }).ToArray();
        var outcomes = new List<IngestOutcome>();
        foreach (var instance in instances)
        {
            outcomes.Add(await IngestAsync(instance, Ct));
        }

        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));
        var patient = Archive.Grains.GetGrain<IPatientGrain>(outcomes[0].PatientId!);
        var before = await StudyRowsAsync(study);
        Assert.Equal(2, before.Count);

        // Behind the archive's back: one row gone, the patient's link gone.
        Assert.True(await Archive.Index.DeleteInstanceAsync(instances[1].SopUid, Ct));
        await patient.RemoveStudyAsync(study);
        Assert.Single(await StudyRowsAsync(study));
        Assert.False(await patient.HasStudyAsync(study));

        await CatchUpAsync();

        Assert.Equal(before, await StudyRowsAsync(study));
        Assert.True(await patient.HasStudyAsync(study));
        var reference = Assert.Single((await patient.GetAsync()).Studies, s => s.StudyInstanceUid == study);
        Assert.Equal((Establishment, "FOLLOW-LOST", 2), (reference.EstablishmentId, reference.LocalId?.PatientId, reference.InstanceCount));
    }

    [Fact]
    public async Task An_ingest_stopped_between_manifest_commit_and_index_write_becomes_findable_through_the_follower_never_half()
    {
        await CatchUpAsync();
        var instance = new SyntheticInstance { PatientId = "FOLLOW-CRASH" };
        fixture.Stall.Arm(instance.SopUid);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var ingest = Task.Run(() => IngestAsync(instance, stopped.Token), Ct);
        try
        {
            await fixture.Stall.Reached.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            // The manifest holds the instance (a new study's first index row is written alongside its manifest commit, so
            // the commit may finish just after the stall is reached); the index does not: not findable yet, but nothing
            // half-visible either.
            var study = Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid);
            var entry = await study.GetInstanceAsync(instance.SopUid);
            for (var waited = 0; entry is null && waited < 300; waited++)
            {
                await Task.Delay(100, Ct);
                entry = await study.GetInstanceAsync(instance.SopUid);
            }

            Assert.NotNull(entry);
            Assert.Empty(await StudyRowsAsync(instance.StudyUid));

            await CatchUpAsync();

            // Findable, and what is found is whole: the stored instance opens.
            Assert.Single(await StudyRowsAsync(instance.StudyUid));
            await using (var stream = await Archive.Retriever.OpenInstanceAsync(entry, Ct))
            {
                var copy = new MemoryStream();
                await stream.CopyToAsync(copy, Ct);
                Assert.True(copy.Length > 0);
            }

            // The stalled ingest is cancelled (it never answered): whatever it then does to the manifest, the follower
            // makes the index agree with it.
            await stopped.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => ingest.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }
        finally
        {
            // A failed assertion must not leave the ingest stalled: it would commit behind the next tests' backs.
            await stopped.CancelAsync();
            fixture.Stall.Disarm();
        }

        await CatchUpAsync();
        var inManifest = await Archive.Grains.GetGrain<IStudyGrain>(instance.StudyUid).GetInstanceAsync(instance.SopUid) is not null;
        Assert.Equal(inManifest, (await StudyRowsAsync(instance.StudyUid)).Count == 1);
    }

    [Fact]
    public async Task The_checkpoints_survive_a_restart()
    {
        var study = SyntheticInstance.NewUid();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(new SyntheticInstance { StudyUid = study, PatientId = "FOLLOW-RESTART" }, Ct)).Status);
        var caughtUp = await CatchUpAsync();
        var newest = (await Feed.StudyEventsAsync(study, Ct))[^1].Sequence;
        Assert.All(caughtUp.Checkpoints.Values, c => Assert.True(c >= newest));
        Assert.Equal([PatientStudyProjection.ProjectionName, QueryIndexProjection.ProjectionName, RetentionScheduleProjection.ProjectionName], caughtUp.Checkpoints.Keys.Order(StringComparer.Ordinal));

        await Archive.RestartAsync();

        var status = await Follower.GetStatusAsync();
        Assert.Equal(caughtUp.Checkpoints.OrderBy(p => p.Key), status.Checkpoints.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Studies_stored_without_a_feed_are_backfilled_and_projected_with_the_same_answers()
    {
        await CatchUpAsync();

        // Stored while the archive had no feed (as before the feed existed).
        Archive.ChangeFeed = new NoChangeFeed();
        await Archive.RestartAsync();
        var studies = new[] { SyntheticInstance.NewUid(), SyntheticInstance.NewUid() };
        foreach (var (study, n) in studies.Select((s, i) => (s, i)))
        {
            for (var i = 1; i <= 2; i++)
            {
                var stored = await IngestAsync(new SyntheticInstance { StudyUid = study, PatientId = "FOLLOW-OLD-" + n, InstanceNumber = i, Modality = n == 0 ? "CT" : "MR" }, Ct);
                Assert.Equal(IngestStatus.Stored, stored.Status);
            }
        }

        Archive.ChangeFeed = null;
        await Archive.RestartAsync();
        Assert.All(studies, s => Assert.Empty(Feed.StudyEventsAsync(s, Ct).GetAwaiter().GetResult()));
        var before = await AnswersAsync();

        // The index lost them too: only the feed (once backfilled) can bring them back.
        foreach (var study in studies)
        {
            Assert.True(await Archive.Index.DeleteStudyAsync(study, Ct));
        }

        var report = await Follower.BackfillAsync();
        Assert.True(report.StudiesScanned >= studies.Length);
        Assert.Equal((studies.Length, 4), (report.StudiesAppended, report.EventsAppended));
        foreach (var study in studies)
        {
            var events = await Feed.StudyEventsAsync(study, Ct);
            Assert.Equal(2, events.Count);
            Assert.All(events, e => Assert.Equal(ChangeFeedAction.Create, e.Action));
        }

        Assert.Equal(0, (await Follower.BackfillAsync()).StudiesAppended);
        Assert.NotNull((await CatchUpAsync()).BackfilledAt);

        // Rows come back with new keys (after the rows stored since): the same answers, in another order.
        Assert.Equal(Sorted(before), Sorted(await AnswersAsync()));
    }

    [Fact]
    public async Task The_index_rebuilt_from_scratch_by_the_follower_gives_the_same_answers()
    {
        var patients = new[] { "FOLLOW-RE-0", "FOLLOW-RE-1" };
        for (var s = 0; s < 3; s++)
        {
            var study = SyntheticInstance.NewUid();
            for (var n = 1; n <= 3; n++)
            {
                Assert.Equal(IngestStatus.Stored, (await IngestAsync(new SyntheticInstance { StudyUid = study, PatientId = patients[s % 2], InstanceNumber = n, SeriesNumber = n % 2, Modality = n == 3 ? "MR" : "CT" }, Ct)).Status);
            }
        }

        var gone = SyntheticInstance.NewUid();
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(new SyntheticInstance { StudyUid = gone, PatientId = patients[0] }, Ct)).Status);
        await Archive.Grains.GetGrain<IStudyGrain>(gone).DeleteAsync("test", "test");
        await CatchUpAsync();
        var before = await AnswersAsync();

        await Follower.RewindAsync();
        foreach (var study in await Feed.StudiesAsync(0, 10_000, Ct))
        {
            await Archive.Index.DeleteStudyAsync(study.StudyInstanceUid, Ct);
        }

        Assert.Equal(0, await Archive.Index.CountAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All), Ct));
        await CatchUpAsync();

        Assert.Equal(before, await AnswersAsync());
        Assert.Null(await Archive.Index.GetStudyAsync(gone, Ct));
    }

    [Fact]
    public async Task New_studies_cost_the_follower_one_summary_read_each_and_no_manifest_read()
    {
        await CatchUpAsync();
        var outcomes = new List<IngestOutcome>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add(await IngestAsync(new SyntheticInstance { PatientId = $"FOLLOW-NEW-{i}" }, Ct));
        }

        Assert.All(outcomes, o => Assert.Equal(IngestStatus.Stored, o.Status));
        Archive.Calls.Reset();

        await CatchUpAsync();

        // Three projections share one read of each study's summary (the retention schedule needs it: the index and the
        // patients' lists find the ingest's inline work done), and the index needs no manifest for rows already there.
        var calls = Archive.Calls.Snapshot();
        int CallsTo(string method) => calls.Where(c => c.Key.EndsWith($"{nameof(IStudyGrain)}.{method}", StringComparison.Ordinal)).Sum(c => c.Value);
        Assert.Equal(outcomes.Count, CallsTo(nameof(IStudyGrain.GetSummaryAsync)));
        Assert.Equal(0, CallsTo(nameof(IStudyGrain.GetSettledInstancesAsync)));
        foreach (var outcome in outcomes)
        {
            Assert.Single(await StudyRowsAsync(outcome.StudyInstanceUid!));
            Assert.True(await Archive.Grains.GetGrain<IPatientGrain>(outcome.PatientId!).HasStudyAsync(outcome.StudyInstanceUid!));
        }
    }

    private async Task<IngestOutcome> IngestAsync(SyntheticInstance instance, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(instance.ToPart10());
        return await Archive.Ingestor.IngestAsync(stream, new IngestRequest { Caller = new IngestCaller { EstablishmentId = Establishment } }, cancellationToken);
    }

    /// <summary>Catch-ups until no projection lags (bounded: the feed of this class is small).</summary>
    [Fact]
    public async Task The_checkpoint_moves_past_the_ingest_s_lazily_written_rows_only_once_the_index_has_made_them_durable()
    {
        var before = await CatchUpAsync();
        var instance = new SyntheticInstance { PatientId = "FOLLOW-FLUSH" };
        Assert.Equal(IngestStatus.Stored, (await IngestAsync(instance, Ct)).Status);
        Assert.Single(await StudyRowsAsync(instance.StudyUid));

        fixture.Stall.FailFlushes = true;
        ChangeFeedFollowerStatus failed;
        try
        {
            failed = await Follower.CatchUpAsync(50);
        }
        finally
        {
            fixture.Stall.FailFlushes = false;
        }

        // The row is there, but not known to be durable: the query index projection stays where it was.
        Assert.Equal(before.Checkpoints[QueryIndexProjection.ProjectionName], failed.Checkpoints[QueryIndexProjection.ProjectionName]);
        Assert.True(failed.Checkpoints[PatientStudyProjection.ProjectionName] > before.Checkpoints[PatientStudyProjection.ProjectionName]);

        var flushes = fixture.Stall.Flushes;
        var after = await CatchUpAsync();
        Assert.True(after.Checkpoints[QueryIndexProjection.ProjectionName] > before.Checkpoints[QueryIndexProjection.ProjectionName]);
        Assert.True(fixture.Stall.Flushes > flushes);
        Assert.Single(await StudyRowsAsync(instance.StudyUid));
    }

    private async Task<ChangeFeedFollowerStatus> CatchUpAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            var status = await Follower.CatchUpAsync(50);
            if (status.Lag == 0)
            {
                return status;
            }
        }

        throw new TimeoutException("the follower did not catch up");
    }

    private async Task<List<string>> StudyRowsAsync(string study)
    {
        var rows = await Archive.Index.QueryAsync(new IndexQuery(QueryLevel.Image, IndexAuthorization.All)
        {
            Matches = new Dictionary<uint, string> { [IndexTags.StudyInstanceUid] = study },
            Limit = IndexQuery.MaxLimit,
        }, Ct);
        return rows.Select(r => string.Join('|', r.OrderBy(p => p.Key).Select(p => $"{p.Key:X8}={p.Value}"))).ToList();
    }

    private async Task<string> AnswersAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var level in new[] { QueryLevel.Patient, QueryLevel.Study, QueryLevel.Series, QueryLevel.Image })
        {
            foreach (var row in await Archive.Index.QueryAsync(new IndexQuery(level, IndexAuthorization.All) { Limit = IndexQuery.MaxLimit }, Ct))
            {
                text.AppendLine(string.Join('|', row.OrderBy(p => p.Key).Select(p => $"{p.Key:X8}={p.Value}")));
            }
        }

        return text.ToString();
    }

    private static string[] Sorted(string answers) => answers.Split('\n').Order(StringComparer.Ordinal).ToArray();
}

/// <summary>Makes the index writes of one armed instance wait until cancelled (the ingest stops right there).</summary>
public sealed class IndexStall
{
    private volatile string? _sopUid;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void Arm(string sopUid)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sopUid = sopUid;
    }

    public void Disarm() => _sopUid = null;

    /// <summary>Makes index flushes fail (a database that cannot make the rows durable).</summary>
    public bool FailFlushes { get; set; }

    /// <summary>Flushes that reached the index.</summary>
    public int Flushes => _flushes;

    private int _flushes;

    public void OnFlush()
    {
        if (FailFlushes)
        {
            throw new IOException("index flush failed (test)");
        }

        Interlocked.Increment(ref _flushes);
    }

    public async Task WaitIfArmedAsync(IEnumerable<IndexedInstance> instances, CancellationToken cancellationToken)
    {
        if (_sopUid is { } armed && instances.Any(i => i.SopInstanceUid == armed))
        {
            _reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}

/// <summary>The query index, with the ingest's own writes (not the follower's ordered upserts) stalled by <see cref="IndexStall"/>.</summary>
internal sealed class StallingIndex(IQueryIndex inner, IndexStall stall) : IQueryIndex
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public async Task UpsertInstanceAsync(IndexedInstance instance, CancellationToken cancellationToken = default)
    {
        await stall.WaitIfArmedAsync([instance], cancellationToken);
        await inner.UpsertInstanceAsync(instance, cancellationToken);
    }

    public async Task UpsertInstancesAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default)
    {
        await stall.WaitIfArmedAsync(instances, cancellationToken);
        await inner.UpsertInstancesAsync(instances, cancellationToken);
    }

    public Task UpsertInOrderAsync(IReadOnlyList<IndexedInstance> instances, CancellationToken cancellationToken = default) => inner.UpsertInOrderAsync(instances, cancellationToken);

    public async Task UpsertInstanceLazilyAsync(IndexedInstance instance, CancellationToken cancellationToken = default)
    {
        await stall.WaitIfArmedAsync([instance], cancellationToken);
        await inner.UpsertInstanceLazilyAsync(instance, cancellationToken);
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        stall.OnFlush();
        return inner.FlushAsync(cancellationToken);
    }

    public Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(IndexQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    public Task<long> CountAsync(IndexQuery query, CancellationToken cancellationToken = default) => inner.CountAsync(query, cancellationToken);

    public Task<IndexedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => inner.GetStudyAsync(studyInstanceUid, cancellationToken);

    public Task<bool> DeleteStudyAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => inner.DeleteStudyAsync(studyInstanceUid, cancellationToken);

    public Task<bool> DeleteInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken = default) => inner.DeleteInstanceAsync(sopInstanceUid, cancellationToken);

    public Task<IReadOnlySet<string>> IndexedInstancesAsync(IReadOnlyCollection<string> sopInstanceUids, CancellationToken cancellationToken = default) => inner.IndexedInstancesAsync(sopInstanceUids, cancellationToken);
}

/// <summary>A feed that records nothing (an archive from before the feed existed).</summary>
internal sealed class NoChangeFeed : IChangeFeed
{
    public Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<IReadOnlyList<ChangeFeedEvent>> ReadAsync(long offset, int limit, string? establishmentId, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ChangeFeedEvent>>([]);

    public Task<ChangeFeedEvent?> LatestAsync(string? establishmentId, CancellationToken cancellationToken = default) => Task.FromResult<ChangeFeedEvent?>(null);

    public Task<IReadOnlyList<ChangeFeedStudy>> StudiesAsync(long afterFirstSequence, int limit, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ChangeFeedStudy>>([]);

    public Task<IReadOnlyList<ChangeFeedEvent>> StudyEventsAsync(string studyInstanceUid, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ChangeFeedEvent>>([]);
}
