using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Audit;

/// <summary>
/// Fills in the patient of query/retrieve events that name studies but no patient (the DICOMweb path knows study UIDs,
/// not the regional patient id), so the patient's "who accessed my images" report finds them. Runs in the background
/// writer, off the request path; an event whose studies belong to several patients, or cannot be looked up, is kept
/// unchanged (never dropped or delayed for long).
/// </summary>
public sealed class AuditPatientResolver(IGrainFactory grains)
{
    /// <summary>Events naming more studies than this are not resolved (one patient per event).</summary>
    public const int MaxStudiesPerEvent = 16;

    /// <summary>Resolves the patients of <paramref name="batch"/> in place.</summary>
    public async Task ResolveAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var studies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (NeedsPatient(e)) studies.UnionWith(e.StudyUids);
        }

        if (studies.Count == 0) return;
        var patients = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lookups = studies.Select(async uid =>
        {
            try
            {
                var summary = await grains.GetGrain<IStudyGrain>(uid).GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return (uid, summary.PatientId);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException)
            {
                return (uid, (string?)null);
            }
        });
        foreach (var (uid, patient) in await Task.WhenAll(lookups).ConfigureAwait(false)) patients[uid] = patient;

        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            if (!NeedsPatient(e)) continue;
            var distinct = e.StudyUids.Select(uid => patients.GetValueOrDefault(uid)).Distinct(StringComparer.Ordinal).ToArray();
            if (distinct is [{ Length: > 0 } patientId]) batch[i] = e with { PatientId = patientId };
        }
    }

    private static bool NeedsPatient(AuditEvent e) =>
        e.PatientId is null && e.StudyUids.Count is > 0 and <= MaxStudiesPerEvent
        && e.Action is AuditAction.Query or AuditAction.Retrieve or AuditAction.Store or AuditAction.Delete;
}
