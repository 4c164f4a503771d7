using Mirc.Grains.FanOut;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Audit;

/// <summary>
/// Names the patient of every record: an event that names studies but no patient (the DICOMweb retrieve path knows
/// study UIDs, not the regional patient id) gets its studies' patient, and one whose studies belong to several patients
/// becomes one event per patient (same actor, time and detail, that patient's studies), so each patient's "who
/// accessed my images" report shows it. Runs in the group-commit loop; a study that cannot be looked up (unknown,
/// unreachable) stays in an event without patient rather than delaying the commit.
/// </summary>
/// <remarks>
/// The patients come from the query index, a projection of the change feed that holds each study's regional patient:
/// one query per batch, however many studies it names (a STOW-RS of 50 new studies was 50 study-grain calls). Only the
/// studies the index does not hold — a deletion's, whose rows are gone, or a store not yet indexed — are asked of their
/// study grain, bounded. No cache: a study moved to another patient must be recorded under the new one.
/// </remarks>
public sealed class AuditPatientResolver(IGrainFactory grains, IQueryIndex? index = null)
{
    // Bounded fan-out of study lookups, and a bound on each: the commit (and the responses waiting for it) never hangs on one.
    private const int MaxParallelLookups = 32;
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The events of <paramref name="batch"/>, each naming at most one patient, in the same order.</summary>
    public async Task<IReadOnlyList<AuditEvent>> ResolveAsync(IReadOnlyList<AuditEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var studies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (NeedsPatient(e)) studies.UnionWith(e.StudyUids);
        }

        if (studies.Count == 0) return batch;
        var patients = new Dictionary<string, string?>(studies.Count, StringComparer.Ordinal);
        foreach (var (study, patient) in await IndexedPatientsAsync(studies, cancellationToken).ConfigureAwait(false))
        {
            patients[study] = patient;
        }

        var uids = studies.Where(uid => !patients.ContainsKey(uid)).ToArray();
        var found = await BoundedFanOut.SelectAsync(uids, PatientOfAsync, MaxParallelLookups, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < uids.Length; i++)
        {
            patients[uids[i]] = found[i];
        }

        var resolved = new List<AuditEvent>(batch.Count);
        foreach (var e in batch)
        {
            if (!NeedsPatient(e))
            {
                resolved.Add(e);
                continue;
            }

            // One event per patient, in the order their studies first appear; studies of unknown patient stay together.
            foreach (var group in e.StudyUids.GroupBy(uid => patients.GetValueOrDefault(uid) ?? string.Empty, StringComparer.Ordinal))
            {
                resolved.Add(e with { PatientId = group.Key.Length == 0 ? null : group.Key, StudyUids = [.. group] });
            }
        }

        return resolved;
    }

    private async Task<IReadOnlyDictionary<string, string>> IndexedPatientsAsync(IReadOnlyCollection<string> studies, CancellationToken cancellationToken)
    {
        if (index is null)
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return await index.StudyPatientsAsync(studies, cancellationToken).WaitAsync(LookupTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The index unreachable: every study is asked of its grain, as for a study the index does not hold.
            return new Dictionary<string, string>();
        }
    }

    private async Task<string?> PatientOfAsync(string studyUid, CancellationToken cancellationToken)
    {
        try
        {
            var summary = await grains.Reference<IStudyGrain>(studyUid).GetSummaryAsync()
                .WaitAsync(LookupTimeout, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(summary.PatientId) ? null : summary.PatientId;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool NeedsPatient(AuditEvent e) =>
        e.PatientId is null && e.StudyUids.Count > 0
        && e.Action is AuditAction.Query or AuditAction.Retrieve or AuditAction.Store or AuditAction.Update or AuditAction.Delete;
}
