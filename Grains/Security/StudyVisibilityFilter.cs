using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Security;

/// <summary>
/// The exact per-study decision applied to index rows. <see cref="AccessScope"/> gives the index a pre-filter
/// (own establishments + cared-for patients) that is a superset: a cared-for patient's study produced by a
/// <see cref="SharingPolicy.Private"/> establishment passes it, yet the decision denies it. This filter re-checks every
/// row with <see cref="AccessScope.CanSee"/> and the producer's sharing policy, so listing never exceeds retrieving.
/// One instance per request: the sharing policies are cached per establishment for its lifetime.
/// </summary>
public sealed class StudyVisibilityFilter
{
    private readonly AccessScope _scope;
    private readonly IGrainFactory _grains;
    private readonly Dictionary<string, SharingPolicy> _sharing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _emergencyPatients = new(StringComparer.Ordinal);

    /// <summary>Creates the filter of <paramref name="scope"/>.</summary>
    public StudyVisibilityFilter(AccessScope scope, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        _scope = scope;
        _grains = grains;
        Authorization = scope.IsEmpty ? IndexAuthorization.None : IndexAuthorization.Restricted(scope.EstablishmentIds, scope.PatientIds);
    }

    /// <summary>The index pre-filter (a superset of what is visible).</summary>
    public IndexAuthorization Authorization { get; }

    /// <summary>
    /// True when the pre-filter is already exact: only whole own establishments are visible (no patient reached through a
    /// care relationship), so every row the index returns is visible and counts are right.
    /// </summary>
    public bool IsExact => _scope.PatientIds.Count == 0;

    /// <summary>
    /// Patients of the rows found visible so far only through break-the-glass: their accesses are flagged for review on
    /// the access records themselves.
    /// </summary>
    public IReadOnlySet<string> EmergencyPatientIds => _emergencyPatients;

    /// <summary>Keeps the study-, series- or image-level rows whose study the principal may see.</summary>
    public async Task<List<IReadOnlyDictionary<uint, string>>> FilterAsync(
        IReadOnlyList<IReadOnlyDictionary<uint, string>> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var visible = new List<IReadOnlyDictionary<uint, string>>(rows.Count);
        foreach (var row in rows)
        {
            if (await IsVisibleAsync(row, cancellationToken).ConfigureAwait(false))
            {
                visible.Add(row);
            }
        }

        return visible;
    }

    /// <summary>Whether the study of one study-, series- or image-level row is visible (rows without a producer are not).</summary>
    public async ValueTask<bool> IsVisibleAsync(IReadOnlyDictionary<uint, string> row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!row.TryGetValue(IndexTags.ProducingEstablishmentId, out var producer) || string.IsNullOrEmpty(producer))
        {
            return false;
        }

        var patient = row.GetValueOrDefault(IndexTags.RegionalPatientId);
        patient = string.IsNullOrEmpty(patient) ? null : patient;

        // Own-establishment rows are decided without the producer's policy (it never restricts its own staff).
        var verdict = _scope.EstablishmentIds.Contains(producer) ? _scope.Decide(patient, producer) : default;
        if (!verdict.IsAllowed)
        {
            verdict = _scope.Decide(patient, producer, await SharingOfAsync(producer, cancellationToken).ConfigureAwait(false));
        }

        if (verdict is { IsAllowed: true, RequiresReview: true } && patient is not null)
        {
            _emergencyPatients.Add(patient);
        }

        return verdict.IsAllowed;
    }

    private async ValueTask<SharingPolicy> SharingOfAsync(string establishmentId, CancellationToken cancellationToken)
    {
        if (!_sharing.TryGetValue(establishmentId, out var sharing))
        {
            var profile = await _grains.Reference<IEstablishmentGrain>(establishmentId).GetAsync()
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            sharing = profile?.Sharing ?? SharingPolicy.CareRelationship;
            _sharing[establishmentId] = sharing;
        }

        return sharing;
    }
}
