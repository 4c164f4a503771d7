using System.Diagnostics;
using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Grains.ChangeFeed.Follower;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Integration.Tests.Dimse;
using Mirc.Integration.Tests.Hosting;
using Xunit;

namespace Mirc.Integration.Tests.Cluster;

/// <summary>Three silo processes are heavy: this class runs alone.</summary>
[CollectionDefinition(nameof(SiloFaultCollection), DisableParallelization = true)]
public sealed class SiloFaultCollection : ICollectionFixture<SiloProcessCluster>;

/// <summary>
/// Faults on a three-silo cluster mid-ingest — SIGKILL of the silo hosting the study's grain, SIGKILL of the silo the
/// modality is sending to, a restart of the storage emulator that holds the membership and every blob. After each: every
/// instance answered 0000 is retrieved byte-exact through every surviving silo, a query finds nothing else than those and
/// at most the instances whose answer was lost (never one answered with a failure), the audit chain verifies, and the
/// membership converges (times printed). And SIGKILL of the silo running the change-feed follower while it re-projects
/// the feed: once it resumes elsewhere, the index holds the study whole again.
/// </summary>
[Collection(nameof(SiloFaultCollection))]
public sealed class SiloFaultTests(SiloProcessCluster cluster) : IDisposable
{
    private const int Instances = 40;
    private const int FaultAfterAcknowledged = 12;
    private readonly TempDataFolder _work = new();
    private static Exception? _lastError;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Killing_the_silo_that_hosts_the_study_grain_mid_ingest_leaves_no_phantom_and_loses_nothing_acknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await cluster.EnsureLiveAsync(2);
        var (study, files, ledger, owner) = await PrepareAsync("PAT-FAULT-OWNER", ct);
        var sender = cluster.Live.First(s => s != owner);
        var killedAt = 0L;
        await ledger.SendAsync(files.Skip(1).ToList(), associations: 2, () => sender.DicomPort, acknowledged =>
        {
            if (acknowledged == FaultAfterAcknowledged)
            {
                SiloProcessCluster.Kill(owner);
                killedAt = Stopwatch.GetTimestamp();
            }
        }, ct);

        Assert.NotEqual(0, killedAt);
        await AssertConvergedAsync(owner, killedAt, ct);
        await AssertConsistentAsync(study, files, ledger, ct);
    }

    [Fact]
    public async Task Killing_the_silo_a_modality_sends_to_mid_ingest_leaves_no_phantom_and_loses_nothing_acknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await cluster.EnsureLiveAsync(2);
        var (study, files, ledger, owner) = await PrepareAsync("PAT-FAULT-SENDER", ct);
        var sender = cluster.Live.First(s => s != owner);
        var fallback = owner;
        var killedAt = 0L;
        // The modality goes on with another silo once its association broke (what a real one does on its next attempt).
        await ledger.SendAsync(files.Skip(1).ToList(), associations: 2, () => sender.Killed ? fallback.DicomPort : sender.DicomPort, acknowledged =>
        {
            if (acknowledged == FaultAfterAcknowledged)
            {
                SiloProcessCluster.Kill(sender);
                killedAt = Stopwatch.GetTimestamp();
            }
        }, ct);

        Assert.NotEqual(0, killedAt);
        await AssertConvergedAsync(sender, killedAt, ct);
        await AssertConsistentAsync(study, files, ledger, ct);
    }

    [Fact]
    public async Task Restarting_the_storage_that_holds_membership_and_blobs_mid_ingest_leaves_no_phantom_and_loses_nothing_acknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await cluster.EnsureLiveAsync(2);
        var (study, files, ledger, owner) = await PrepareAsync("PAT-FAULT-AZURITE", ct);
        var sender = cluster.Live.First(s => s != owner);
        Task? restart = null;
        var restartedAt = 0L;
        await ledger.SendAsync(files.Skip(1).ToList(), associations: 2, () => sender.DicomPort, acknowledged =>
        {
            if (acknowledged == FaultAfterAcknowledged)
            {
                // Down before the next store: the rest of the study is sent while the storage is away and coming back.
                cluster.StopStorage();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(3), ct);
                    await cluster.StartStorageAgainAsync();
                    restartedAt = Stopwatch.GetTimestamp();
                }, ct);
            }
        }, ct);

        Assert.NotNull(restart);
        await restart;
        // Every silo stays (or becomes again) an active member and ready.
        var converged = await WaitAsync(async () =>
        {
            var rows = await cluster.MembershipAsync(ct);
            return cluster.Live.All(s => rows.GetValueOrDefault(s.SiloPort) == "Active") && await AllReadyAsync(ct);
        }, TimeSpan.FromSeconds(45), ct);
        Assert.True(converged, "the silos did not all come back to Active and ready after the storage restart: "
            + string.Join(", ", (await cluster.MembershipAsync(ct)).Select(r => $"{r.Key}={r.Value}")) + $" ready={await AllReadyAsync(ct)} {_lastError}");
        Report($"[faults] storage restart: all silos Active and ready {Stopwatch.GetElapsedTime(restartedAt).TotalSeconds:F1} s after the storage came back");
        await AssertConsistentAsync(study, files, ledger, ct);
    }

    [Fact]
    public async Task Killing_the_silo_that_runs_the_change_feed_follower_mid_projection_leaves_the_index_whole_once_it_resumes()
    {
        var ct = TestContext.Current.CancellationToken;
        await cluster.EnsureLiveAsync(2);
        var (study, files, ledger, _) = await PrepareAsync("PAT-FAULT-FOLLOWER", ct);
        await ledger.SendAsync(files.Skip(1).ToList(), associations: 2, () => cluster.Live[0].DicomPort, _ => { }, ct);
        Assert.Equal(files.Count, ledger.Acknowledged.Count);

        // The follower has applied the study's events (settled after 1 s in this cluster): its checkpoints are past them.
        var follower = cluster.Client.GetGrain<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key);
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        await SiloProcessCluster.CallAsync(() => follower.CatchUpAsync(100_000));

        // Then the study's index rows are lost behind the archive's back: only a projection of the feed brings them back.
        await using var index = new PostgresQueryIndex(cluster.IndexConnectionString);
        await index.InitializeAsync(ct);
        Assert.True(await index.DeleteStudyAsync(study.StudyUid, ct));
        Assert.Empty(await FindAsync(cluster.Live[0], study.StudyUid, ct));

        // Rewound, the follower re-applies the whole feed; its silo dies during that catch-up.
        await SiloProcessCluster.CallAsync(async () => { await follower.RewindAsync(); return true; });
        var host = await cluster.HostOfAsync(follower);
        Assert.NotNull(host);
        var projection = follower.CatchUpAsync(100_000);
        await Task.Delay(20, ct);
        var finishedBeforeKill = projection.IsCompleted;
        SiloProcessCluster.Kill(host);
        var killedAt = Stopwatch.GetTimestamp();
        Assert.False(finishedBeforeKill, $"the catch-up of the rewound feed ended within 20 ms ({projection.Status}): the kill would not be mid-projection");
        try
        {
            await projection; // dies with its silo (or, at worst, had just finished)
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Report($"[faults] follower catch-up interrupted by the kill: {ex.GetType().Name}");
        }

        await AssertConvergedAsync(host, killedAt, ct);
        // Nobody calls it: the follower comes back on a survivor by its own reminder and finishes the projection.
        var resumed = await WaitAsync(async () => (await FindAsync(cluster.Live[0], study.StudyUid, ct)).Count == files.Count, TimeSpan.FromSeconds(150), ct);
        Assert.True(resumed, $"the follower did not restore the study's {files.Count} index rows within 150 s of the kill of {host}");
        Report($"[faults] follower's silo killed mid-projection: the study is findable whole again {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:F1} s after the kill");
        await AssertConsistentAsync(study, files, ledger, ct);
    }

    /// <summary>A new study; its first instance stored (activating the study grain) and the silo hosting the grain.</summary>
    private async Task<(SyntheticStudy Study, IReadOnlyList<string> Files, StoreLedger Ledger, ClusterSilo Owner)> PrepareAsync(string patientId, CancellationToken ct)
    {
        var study = new SyntheticStudy(patientId, "PANNE^Test", seriesCount: 2, instancesPerSeries: Instances / 2);
        var files = await study.WriteAsync(Path.Combine(_work.Path, patientId), DicomTransferSyntax.ExplicitVRLittleEndian);
        var ledger = new StoreLedger();
        await ledger.SendAsync([files[0]], 1, () => cluster.Live[0].DicomPort, _ => { }, ct);
        Assert.Single(ledger.Acknowledged);
        var owner = await cluster.HostOfAsync(cluster.Client.GetGrain<IStudyGrain>(study.StudyUid));
        Assert.NotNull(owner);
        return (study, files, ledger, owner);
    }

    /// <summary>Times from the kill to the dead silo declared dead, and to every survivor active and ready.</summary>
    private async Task AssertConvergedAsync(ClusterSilo killed, long killedAt, CancellationToken ct)
    {
        double? declaredDead = null;
        var converged = await WaitAsync(async () =>
        {
            var rows = await cluster.MembershipAsync(ct);
            if (declaredDead is null && rows.GetValueOrDefault(killed.SiloPort) == "Dead")
            {
                declaredDead = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
            }

            return declaredDead is not null && cluster.Live.All(s => rows.GetValueOrDefault(s.SiloPort) == "Active") && await AllReadyAsync(ct);
        }, TimeSpan.FromSeconds(45), ct);
        Assert.True(converged, $"{killed} was not declared dead (or the survivors not all active and ready) within 45 s: "
            + string.Join(", ", (await cluster.MembershipAsync(ct)).Select(r => $"{r.Key}={r.Value}")) + $" ready={await AllReadyAsync(ct)} {_lastError}");
        var full = Stopwatch.GetElapsedTime(killedAt).TotalSeconds;
        Report($"[faults] {killed} killed: declared dead after {declaredDead:F1} s, membership converged after {full:F1} s");
    }

    /// <summary>
    /// Once the survivors' reconciliation has settled what the fault left in flight (bounded wait): the instances an IMAGE
    /// level C-FIND finds through each survivor are the acknowledged ones plus at most some whose answer was lost, never
    /// one that was refused; a C-GET through each survivor returns exactly what the C-FIND found, every acknowledged one
    /// byte-exact; the audit chain verifies.
    /// </summary>
    private async Task AssertConsistentAsync(SyntheticStudy study, IReadOnlyList<string> files, StoreLedger ledger, CancellationToken ct)
    {
        var acknowledged = ledger.Acknowledged;
        var lost = ledger.Lost;
        Report("[faults] " + ledger.Summary);
        Assert.True(acknowledged.Count >= FaultAfterAcknowledged, ledger.Summary);
        var sent = files.ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => f);

        string last = "";
        var settling = Stopwatch.StartNew();
        var settled = await WaitAsync(async () =>
        {
            foreach (var silo in cluster.Live)
            {
                var found = await FindAsync(silo, study.StudyUid, ct);
                var retrieved = await GetAsync(silo, study.StudyUid, ct);
                var phantoms = found.Where(s => !acknowledged.Contains(s) && !lost.Contains(s)).ToList();
                var missing = acknowledged.Where(s => !found.Contains(s)).ToList();
                var unretrievable = found.Where(s => !retrieved.ContainsKey(s)).ToList();
                var unlisted = retrieved.Keys.Where(s => !found.Contains(s)).ToList();
                last = $"{silo}: found {found.Count}, retrieved {retrieved.Count}; phantoms [{string.Join(", ", phantoms)}], missing [{string.Join(", ", missing)}], "
                    + $"found but not retrievable [{string.Join(", ", unretrievable)}], retrieved but not found [{string.Join(", ", unlisted)}]";
                if (phantoms.Count + missing.Count + unretrievable.Count + unlisted.Count > 0)
                {
                    return false;
                }

                foreach (var sop in acknowledged)
                {
                    Assert.Equal(await DatasetBytesAsync(sent[sop], ct), retrieved[sop]);
                }
            }

            return true;
        }, TimeSpan.FromSeconds(40), ct);
        Assert.True(settled, $"{ledger.Summary}; {last}");
        Report($"[faults] queries and retrievals consistent on every survivor after {settling.Elapsed.TotalSeconds:F1} s more: {last}");
        Report($"[faults] failed undos redone in the background: {cluster.CountLogLines("Undo of the failed ingest of")} log line(s) ({cluster.CountLogLines("done on retry")} done on retry); "
            + $"journal intents settled by reconciliation: {cluster.CountLogLines("Ingest reconciliation completed")}");

        var audit = await SiloProcessCluster.CallAsync(() => cluster.Client.GetGrain<IOperatorGrain>(0).VerifyAuditAsync());
        Assert.True(audit.IsIntact, "audit chain broken: " + System.Text.Json.JsonSerializer.Serialize(audit));
    }

    private static async Task<HashSet<string>> FindAsync(ClusterSilo silo, string studyUid, CancellationToken ct)
    {
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", silo.DicomPort, SiloProcessCluster.CallingAe, "MIRC",
            [new PresentationContextProposal(0, DicomUids.StudyRootQueryRetrieveInformationModelFind, [DicomUids.ExplicitVRLittleEndian])], ct: ct);
        var query = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "IMAGE").Set(DicomTag.StudyInstanceUID, studyUid)
            .Set(DicomTag.SOPInstanceUID, "");
        var found = new HashSet<string>();
        await foreach (var match in client.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind, query, ct))
        {
            found.Add(match.GetStringOrDefault(DicomTag.SOPInstanceUID)!);
        }

        await client.ReleaseAsync(ct);
        return found;
    }

    private static async Task<Dictionary<string, byte[]>> GetAsync(ClusterSilo silo, string studyUid, CancellationToken ct)
    {
        await using var client = await DicomClient.ConnectAsync("127.0.0.1", silo.DicomPort, SiloProcessCluster.CallingAe, "MIRC",
            [
                new PresentationContextProposal(0, DicomUids.StudyRootQueryRetrieveInformationModelGet, [DicomUids.ExplicitVRLittleEndian]),
                new PresentationContextProposal(0, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
            ], ct: ct);
        var received = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>();
        var query = new DicomDataset().Set(DicomTag.QueryRetrieveLevel, "STUDY").Set(DicomTag.StudyInstanceUID, studyUid);
        await client.GetAsync(DicomUids.StudyRootQueryRetrieveInformationModelGet, query, async (request, data, token) =>
        {
            using var copy = new MemoryStream();
            await data.CopyToAsync(copy, token);
            received[request.SopInstanceUid] = copy.ToArray();
            return DimseResult.Success;
        }, null, ct);
        await client.ReleaseAsync(ct);
        return new Dictionary<string, byte[]>(received);
    }

    private async Task<bool> AllReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var silo in cluster.Live)
        {
            try
            {
                if (!(await http.GetAsync($"http://127.0.0.1:{silo.HttpPort}/readyz", ct)).IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Polls <paramref name="condition"/> (its failures count as "not yet") until true or <paramref name="timeout"/>.</summary>
    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (ex is Xunit.Sdk.XunitException)
                {
                    throw;
                }

                _lastError = ex;
            }

            await Task.Delay(500, ct);
        }

        return false;
    }

    /// <summary>Timings and outcomes go to the test output and to the console log of the run (./test.sh keeps it).</summary>
    private static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.Error.WriteLine(line);
    }

    /// <summary>The dataset after the File Meta (what a C-GET sends back in the same transfer syntax).</summary>
    private static async Task<byte[]> DatasetBytesAsync(string path, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(path, ct);
        var file = DicomFileReader.Read(bytes, new DicomReadOptions { StopAtPixelData = true });
        var metaEnd = 132 + 12 + (int)file.FileMetaInformation.GetInt32(new DicomTag(0x0002, 0x0000));
        return bytes[metaEnd..];
    }
}
