using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>
/// The query index as a projection of the feed. For each study an event names, the manifest decides: an instance it
/// holds gets its row (from the stored header) unless the row is there already (the ingest wrote it inline) and no
/// Update asks for a refresh; an instance it no longer holds loses its row; a deleted or emptied study loses all of
/// them. Only instances of the manifest are ever written, so nothing half-ingested becomes visible; the manifest is read
/// once its writes in flight are over, since a commit's events can be read before its manifest write ends. Every batch
/// ends with a durability barrier: the ingest writes its rows lazily (<see cref="IQueryIndex.UpsertInstanceLazilyAsync"/>), so the
/// rows this batch found or wrote are durable before the follower's checkpoint moves past their events.
/// A study whose events are all creations of instances already indexed (the ingest's inline rows: nearly every study)
/// needs no look at its grain: whatever keeps such an instance out of the manifest — an undo, an erasure, the take-back
/// of a lost manifest write or, after a crash, of a dropped intent's events (<see cref="IStudyGrain.TakeBackUnheldCreatesAsync"/>)
/// — appends a Delete, and a deletion an Update, that a later batch looks at in full.
/// </summary>
internal sealed class QueryIndexProjection(IQueryIndex index, IGrainFactory grains, ManifestHeaders headers) : IChangeFeedProjection
{
    /// <summary>Checkpoint name.</summary>
    public const string ProjectionName = "query-index";

    public string Name => ProjectionName;

    public async Task ApplyAsync(IReadOnlyList<ChangeFeedEvent> events, StudySummaryReads summaries, CancellationToken cancellationToken)
    {
        await ProjectAsync(events, summaries, cancellationToken).ConfigureAwait(false);
        await index.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ProjectAsync(IReadOnlyList<ChangeFeedEvent> events, StudySummaryReads summaries, CancellationToken cancellationToken)
    {
        var indexed = await index.IndexedInstancesAsync(events.Select(e => e.SopInstanceUid).Distinct(StringComparer.Ordinal).ToArray(), cancellationToken).ConfigureAwait(false);
        var toWrite = new List<(long Sequence, InstanceEntry Entry, string PatientId)>();
        foreach (var study in events.GroupBy(e => e.StudyInstanceUid, StringComparer.Ordinal))
        {
            if (study.All(e => e.Action == ChangeFeedAction.Create && indexed.Contains(e.SopInstanceUid)))
            {
                continue;
            }

            var grain = grains.Reference<IStudyGrain>(study.Key);
            var summary = await summaries.GetAsync(study.Key, cancellationToken).ConfigureAwait(false);
            if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty || summary.PatientId is not { } patientId)
            {
                await index.DeleteStudyAsync(study.Key, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var manifest = (await grain.GetSettledInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
                .ToDictionary(e => e.SopInstanceUid, StringComparer.Ordinal);
            foreach (var instance in study.GroupBy(e => e.SopInstanceUid, StringComparer.Ordinal))
            {
                if (!manifest.TryGetValue(instance.Key, out var entry))
                {
                    await index.DeleteInstanceAsync(instance.Key, cancellationToken).ConfigureAwait(false);
                }
                else if (!indexed.Contains(instance.Key) || instance.Any(e => e.Action == ChangeFeedAction.Update))
                {
                    toWrite.Add((instance.First().Sequence, entry, patientId));
                }
            }
        }

        if (toWrite.Count == 0)
        {
            return;
        }

        var rows = new IndexedInstance?[toWrite.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, toWrite.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ManifestHeaders.ReadParallelism, CancellationToken = cancellationToken },
            async (i, ct) => rows[i] = (await headers.ReadAsync(toWrite[i].Entry, ct).ConfigureAwait(false))?.ToIndexed(toWrite[i].PatientId)).ConfigureAwait(false);

        // In feed order: rows get their keys in the order the instances arrived, as the inline writes gave them.
        var ordered = toWrite.Select((w, i) => (w.Sequence, Row: rows[i])).Where(r => r.Row is not null).OrderBy(r => r.Sequence).Select(r => r.Row!).ToArray();
        await index.UpsertInOrderAsync(ordered, cancellationToken).ConfigureAwait(false);

        // An undo (failed store, erasure) that ran while the rows were being read took its own rows out before these
        // were written: look again, so such a row does not wait for the next batch to go.
        foreach (var study in toWrite.GroupBy(w => w.Entry.StudyInstanceUid, StringComparer.Ordinal))
        {
            var grain = grains.Reference<IStudyGrain>(study.Key);
            var summary = await grain.GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (summary.Status is StudyStatus.Deleted or StudyStatus.Empty)
            {
                await index.DeleteStudyAsync(study.Key, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var held = (await grain.GetSettledInstancesAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Select(e => e.SopInstanceUid).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in study.Where(w => !held.Contains(w.Entry.SopInstanceUid)))
            {
                await index.DeleteInstanceAsync(gone.Entry.SopInstanceUid, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
