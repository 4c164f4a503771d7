using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// Gives the studies stored before the change feed existed (or while it was lost) their Create events: walks the stored
/// study manifests (the "study" grain states in the grain-state container) and, for each live study the feed does not
/// name at all, appends a Create per manifest instance, studies and instances in arrival order. The follower then projects them like any
/// other event. Idempotent: a study the feed names is left alone. A study whose first commit is in flight while the
/// walk reads it may get its Creates twice (the commit's own, then these): the projections converge all the same.
/// </summary>
public sealed partial class ChangeFeedBackfill(
    IChangeFeed feed,
    IBlobStore blobs,
    InstanceBlobLayout layout,
    IGrainFactory grains,
    IOptions<BlobStorageOptions> storage,
    ILogger<ChangeFeedBackfill> logger)
{
    // The study grain's state name: BlobGrainStorage names the blob "study/{grainType}/{key}", Orleans' Azure provider
    // "study-{grainType}/{key}.json"; keys are percent-encoded in both (GrainStateBlobNaming).
    private const string StateName = "study";
    private const int Parallelism = 8;

    public async Task<ChangeFeedBackfillReport> RunAsync(CancellationToken cancellationToken)
    {
        var studies = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in blobs.ListAsync(layout.GrainStateContainer, StateName + "/", cancellationToken).ConfigureAwait(false))
        {
            if (StudyUidOf(blob.Key.Name) is { } uid)
            {
                studies.Add(uid);
            }
        }

        if (storage.Value.Provider == BlobStorageProvider.Azure)
        {
            await foreach (var blob in blobs.ListAsync(layout.GrainStateContainer, StateName + "-", cancellationToken).ConfigureAwait(false))
            {
                if (StudyUidOf(blob.Key.Name) is { } uid)
                {
                    studies.Add(uid);
                }
            }
        }

        // Which studies the feed lacks, and when each first arrived (read in parallel, only the arrival kept in memory).
        var missing = new System.Collections.Concurrent.ConcurrentBag<(string StudyInstanceUid, DateTimeOffset FirstReceivedAt)>();
        await Parallel.ForEachAsync(studies, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (uid, ct) =>
        {
            if (await FirstArrivalIfMissingAsync(uid, ct).ConfigureAwait(false) is { } first)
            {
                missing.Add((uid, first));
            }
        }).ConfigureAwait(false);

        // Appended in arrival order, a study at a time: the projections then rebuild rows in the order they first had.
        var appendedEvents = 0;
        foreach (var (uid, _) in missing.OrderBy(m => m.FirstReceivedAt).ThenBy(m => m.StudyInstanceUid, StringComparer.Ordinal))
        {
            appendedEvents += await AppendStudyAsync(uid, cancellationToken).ConfigureAwait(false);
        }

        LogBackfilled(logger, studies.Count, missing.Count, appendedEvents);
        return new ChangeFeedBackfillReport { StudiesScanned = studies.Count, StudiesAppended = missing.Count, EventsAppended = appendedEvents };
    }

    /// <summary>The study UID a grain-state blob name holds, or null when the name is not a study state's.</summary>
    private static string? StudyUidOf(string blobName) => GrainStateBlobNaming.GrainKeyOf(blobName, StateName);

    private async Task<DateTimeOffset?> FirstArrivalIfMissingAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        if ((await feed.StudyEventsAsync(studyInstanceUid, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return null;
        }

        var grain = grains.Reference<IStudyGrain>(studyInstanceUid);
        var summary = await grain.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty)
        {
            return null;
        }

        var entries = await grain.GetInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Count == 0 ? null : entries.Min(e => e.ReceivedAt);
    }

    private async Task<int> AppendStudyAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        var grain = grains.Reference<IStudyGrain>(studyInstanceUid);
        var summary = await grain.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var entries = await grain.GetInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var events = entries.OrderBy(e => e.ReceivedAt)
            .Select(e => ChangeFeedEvent.Of(studyInstanceUid, e, ChangeFeedAction.Create, summary.EstablishmentId, summary.PatientId))
            .ToArray();
        await feed.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        return events.Length;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Change-feed backfill: {Studies} stored studies walked, {Appended} were not in the feed ({Events} Create events appended)")]
    private static partial void LogBackfilled(ILogger logger, int studies, int appended, int events);
}
