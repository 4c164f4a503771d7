using Microsoft.Extensions.Logging;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Operations;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// Rebuilds the query index, a projection, from the systems of record: the change feed says which studies exist and in
/// which order their instances arrived, each Study grain's manifest says what the study holds now, and each stored
/// instance's header gives the attributes the index keeps. Idempotent (upserts), so it repairs a live index as well as
/// filling an empty one; a study the manifest shows deleted or empty is removed from the index.
/// </summary>
public sealed partial class QueryIndexRebuilder(IChangeFeed feed, IQueryIndex index, IGrainFactory grains, ManifestHeaders headers, ILogger<QueryIndexRebuilder> logger)
{
    /// <summary>One step: up to <paramref name="maxStudies"/> studies whose first event comes after <paramref name="cursor"/>.</summary>
    public async Task<ReindexProgress> RebuildAsync(long cursor, int maxStudies, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cursor);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStudies, 1);
        var studies = await feed.StudiesAsync(cursor, maxStudies, cancellationToken).ConfigureAwait(false);
        if (studies.Count == 0)
        {
            return new ReindexProgress { NextCursor = cursor, Done = true };
        }

        var read = new StudyRead[studies.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, studies.Count),
            // Several studies are read at once (grain activations and blob reads wait on I/O); the index is then written in
            // feed order, one transaction per step.
            new ParallelOptions { MaxDegreeOfParallelism = ManifestHeaders.ReadParallelism, CancellationToken = cancellationToken },
            async (i, ct) => read[i] = await ReadStudyAsync(studies[i].StudyInstanceUid, ct).ConfigureAwait(false));

        var removed = 0;
        foreach (var study in read.Where(r => r.Instances.Count == 0))
        {
            await index.DeleteStudyAsync(study.StudyInstanceUid, cancellationToken).ConfigureAwait(false);
            removed++;
        }

        var instances = read.SelectMany(r => r.Instances).ToArray();
        await index.UpsertInOrderAsync(instances, cancellationToken).ConfigureAwait(false);
        var progress = new ReindexProgress
        {
            StudiesIndexed = read.Length - removed,
            StudiesRemoved = removed,
            Instances = instances.Length,
            Unreadable = read.Sum(r => r.Unreadable),
            NextCursor = studies[^1].FirstSequence,
            Done = studies.Count < maxStudies,
        };
        LogStep(logger, progress.StudiesIndexed, progress.StudiesRemoved, progress.Instances, progress.NextCursor);
        return progress;
    }

    private async Task<StudyRead> ReadStudyAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        var study = grains.Reference<IStudyGrain>(studyInstanceUid);
        var summary = await study.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty || summary.PatientId is not { } patient)
        {
            return new StudyRead(studyInstanceUid, [], 0);
        }

        var entries = await study.GetInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        // The order the instances first entered the feed (as they were first indexed); any the feed lacks go last.
        var arrival = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in await feed.StudyEventsAsync(studyInstanceUid, cancellationToken).ConfigureAwait(false))
        {
            if (e.Action == ChangeFeedAction.Create)
            {
                arrival.TryAdd(e.SopInstanceUid, e.Sequence);
            }
        }

        var instances = new List<IndexedInstance>(entries.Count);
        var unreadable = 0;
        foreach (var entry in entries.OrderBy(e => arrival.GetValueOrDefault(e.SopInstanceUid, long.MaxValue)))
        {
            if (await headers.ReadAsync(entry, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                instances.Add(stored.ToIndexed(patient));
            }
            else
            {
                unreadable++;
            }
        }

        return new StudyRead(studyInstanceUid, instances, unreadable);
    }

    private sealed record StudyRead(string StudyInstanceUid, IReadOnlyList<IndexedInstance> Instances, int Unreadable);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reindex step: {Studies} studies indexed, {Removed} removed, {Instances} instances, cursor {Cursor}")]
    private static partial void LogStep(ILogger logger, int studies, int removed, int instances, long cursor);
}
