using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Compares both sites and repairs the missing or corrupt side. Instances: every study the change feed knows, every
/// instance of its manifest, SHA-256 of each site's copy against the manifest's digest — the copy that matches is
/// written over the one that does not. Other replicated blobs (embedded mode: grain state, reminders): the first site
/// is the reference, by content hash. Each pass that repaired something is audited (<see cref="AuditAction.ReplicaRepair"/>).
/// </summary>
public sealed partial class ReplicaScrubber
{
    private const int StudyPage = 200;
    private const int ReportedKeys = 100;

    private readonly ReplicatedBlobStore _sites;
    private readonly InstanceBlobLayout _layout;
    private readonly IChangeFeed _feed;
    private readonly IGrainFactory _grains;
    private readonly IAuditTrail _audit;
    private readonly bool _compareOtherContainers;
    private readonly TimeProvider _clock;
    private readonly ILogger<ReplicaScrubber> _logger;

    /// <summary>Creates the scrubber.</summary>
    /// <param name="sites">The two sites.</param>
    /// <param name="layout">Containers.</param>
    /// <param name="feed">Lists the studies.</param>
    /// <param name="grains">Study manifests.</param>
    /// <param name="audit">Audit trail.</param>
    /// <param name="compareOtherContainers">Whether non-instance blobs have the same names on both sites (not in Azure mode, whose grain state is mirrored in another layout).</param>
    /// <param name="clock">Clock.</param>
    /// <param name="logger">Logger.</param>
    public ReplicaScrubber(ReplicatedBlobStore sites, InstanceBlobLayout layout, IChangeFeed feed, IGrainFactory grains, IAuditTrail audit, bool compareOtherContainers, TimeProvider clock, ILogger<ReplicaScrubber> logger)
    {
        _sites = sites;
        _layout = layout;
        _feed = feed;
        _grains = grains;
        _audit = audit;
        _compareOtherContainers = compareOtherContainers;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>One full pass. A site that does not answer stops the pass (the next one starts over).</summary>
    public async Task<ReplicaScrubReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var tally = new Tally();
        long after = 0;
        while (true)
        {
            var studies = await _feed.StudiesAsync(after, StudyPage, cancellationToken).ConfigureAwait(false);
            foreach (var study in studies)
            {
                after = study.FirstSequence;
                var instances = await _grains.Reference<IStudyGrain>(study.StudyInstanceUid).GetInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var instance in instances)
                {
                    await ScrubInstanceAsync(instance, tally, cancellationToken).ConfigureAwait(false);
                }
            }

            if (studies.Count < StudyPage)
            {
                break;
            }
        }

        if (_compareOtherContainers)
        {
            await ScrubContainerAsync(_layout.GrainStateContainer, tally, cancellationToken).ConfigureAwait(false);
        }

        var report = tally.ToReport();
        LogScrubbed(_logger, report.Compared, report.RepairedOnFirst, report.RepairedOnSecond, report.Unrepairable);
        if (report.RepairedOnFirst + report.RepairedOnSecond + report.Unrepairable > 0)
        {
            await _audit.RecordAsync(new AuditEvent
            {
                Timestamp = _clock.GetUtcNow(),
                Action = AuditAction.ReplicaRepair,
                Outcome = report.Unrepairable > 0 ? AuditOutcome.Failure : AuditOutcome.Success,
                ActorId = "system:replica-scrubber",
                Detail = $"two-site scrub: {report.Compared} compared, {report.RepairedOnFirst} repaired on the first site, {report.RepairedOnSecond} on the second, {report.Unrepairable} unrepairable: {string.Join(", ", report.Keys)}",
                RequiresReview = report.Unrepairable > 0,
            }, cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    private async Task ScrubInstanceAsync(InstanceEntry instance, Tally tally, CancellationToken cancellationToken)
    {
        var key = new BlobKey(instance.BlobContainer, instance.BlobName);
        var expected = instance.Digest;
        var onFirst = await HashAsync(_sites.First, key, expected, cancellationToken).ConfigureAwait(false);
        var onSecond = await HashAsync(_sites.Second, key, expected, cancellationToken).ConfigureAwait(false);
        tally.Compared++;
        var firstGood = ContentDigest.SameDigest(onFirst, expected);
        var secondGood = ContentDigest.SameDigest(onSecond, expected);
        if (firstGood && secondGood)
        {
            return;
        }

        if (!firstGood && !secondGood)
        {
            tally.Unrepairable++;
            tally.Add(key, "unrepairable");
            LogUnrepairable(_logger, key, instance.Digest);
            return;
        }

        var (from, to, site) = firstGood ? (_sites.First, _sites.Second, "second") : (_sites.Second, _sites.First, "first");
        await CopyAsync(from, to, key, expected, cancellationToken).ConfigureAwait(false);
        if (firstGood)
        {
            tally.RepairedOnSecond++;
        }
        else
        {
            tally.RepairedOnFirst++;
        }

        tally.Add(key, $"repaired on the {site} site");
        LogRepaired(_logger, key, site, (firstGood ? onSecond : onFirst) is null ? "missing" : "corrupt");
    }

    private async Task ScrubContainerAsync(string container, Tally tally, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in _sites.First.ListAsync(container, null, cancellationToken).ConfigureAwait(false))
        {
            names.Add(blob.Key.Name);
        }

        foreach (var name in names)
        {
            var key = new BlobKey(container, name);
            var onFirst = await HashAsync(_sites.First, key, null, cancellationToken).ConfigureAwait(false);
            if (onFirst is null)
            {
                continue; // Deleted meanwhile: its deletion is replicated.
            }

            tally.Compared++;
            var onSecond = await HashAsync(_sites.Second, key, null, cancellationToken).ConfigureAwait(false);
            if (ContentDigest.SameDigest(onSecond, onFirst))
            {
                continue;
            }

            try
            {
                await CopyAsync(_sites.First, _sites.Second, key, onFirst, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobHashMismatchException)
            {
                continue; // Rewritten meanwhile: the write replicated itself.
            }

            tally.RepairedOnSecond++;
            tally.Add(key, "repaired on the second site");
            LogRepaired(_logger, key, "second", onSecond is null ? "missing" : "different");
        }
    }

    private static async Task CopyAsync(IBlobStore from, IBlobStore to, BlobKey key, string digest, CancellationToken cancellationToken)
    {
        await using var source = await from.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        await to.WriteAsync(key, source, new BlobWriteOptions { ExpectedDigest = digest }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blob's digest in the algorithm of <paramref name="like"/> (the manifest's) if given, null when it is missing.</summary>
    private static async Task<string?> HashAsync(IBlobStore site, BlobKey key, string? like, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await site.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            return await ContentDigest.ComputeAsync(stream, like, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    private sealed class Tally
    {
        private readonly List<string> _keys = [];

        public int Compared { get; set; }

        public int RepairedOnFirst { get; set; }

        public int RepairedOnSecond { get; set; }

        public int Unrepairable { get; set; }

        public void Add(BlobKey key, string what)
        {
            if (_keys.Count < ReportedKeys)
            {
                _keys.Add($"{key} ({what})");
            }
        }

        public ReplicaScrubReport ToReport() => new()
        {
            Compared = Compared,
            RepairedOnFirst = RepairedOnFirst,
            RepairedOnSecond = RepairedOnSecond,
            Unrepairable = Unrepairable,
            Keys = _keys.ToArray(),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replication scrub: {Compared} blobs compared, {OnFirst} repaired on the first site, {OnSecond} on the second, {Unrepairable} unrepairable")]
    private static partial void LogScrubbed(ILogger logger, int compared, int onFirst, int onSecond, int unrepairable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication scrub: {Key} repaired on the {Site} site (was {State})")]
    private static partial void LogRepaired(ILogger logger, BlobKey key, string site, string state);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Replication scrub: {Key} matches its digest {Digest} on neither site")]
    private static partial void LogUnrepairable(ILogger logger, BlobKey key, string digest);
}
