using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>
/// What one query or retrieve touched of one patient: the access is recorded once per patient (so each patient's
/// "who accessed my images" report shows it), flagged for review when that patient was reached through break-the-glass.
/// </summary>
/// <param name="PatientId">Regional patient id (null: rows that carry none, resolved from their studies when recorded).</param>
/// <param name="StudyUids">That patient's studies concerned.</param>
/// <param name="RequiresReview">True when the access relied on an emergency (break-the-glass) grant.</param>
public sealed record PatientAccessGroup(string? PatientId, IReadOnlyList<string> StudyUids, bool RequiresReview)
{
    /// <summary>Groups index rows (any level) by regional patient id, in first-seen order.</summary>
    /// <param name="rows">The rows served.</param>
    /// <param name="emergencyPatients">Patients reached through break-the-glass (null: none).</param>
    public static IReadOnlyList<PatientAccessGroup> FromRows(IEnumerable<IReadOnlyDictionary<uint, string>> rows, IReadOnlySet<string>? emergencyPatients)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var row in rows)
        {
            var patient = row.GetValueOrDefault(IndexTags.RegionalPatientId) ?? string.Empty;
            if (!groups.TryGetValue(patient, out var studies))
            {
                groups[patient] = studies = [];
                order.Add(patient);
            }

            if (row.GetValueOrDefault(IndexTags.StudyInstanceUid) is { Length: > 0 } study && !studies.Contains(study, StringComparer.Ordinal))
            {
                studies.Add(study);
            }
        }

        return order
            .Select(p => new PatientAccessGroup(p.Length == 0 ? null : p, groups[p], p.Length > 0 && emergencyPatients?.Contains(p) == true))
            .ToArray();
    }

    /// <summary>
    /// Records one event per group (built by <paramref name="toEvent"/>), all queued together so they share a commit;
    /// completes when every one is durable. With no group, records one event without patient (an empty result is a query too).
    /// </summary>
    public static Task RecordAsync(IAuditTrail trail, IReadOnlyList<PatientAccessGroup> groups, Func<PatientAccessGroup, AuditEvent> toEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(toEvent);
        if (groups.Count == 0)
        {
            return trail.RecordAsync(toEvent(new PatientAccessGroup(null, [], false)), cancellationToken).AsTask();
        }

        return Task.WhenAll(groups.Select(g => trail.RecordAsync(toEvent(g), cancellationToken).AsTask()));
    }
}
