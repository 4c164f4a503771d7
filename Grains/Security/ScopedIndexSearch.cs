using Mirc.Grains.Indexing;

namespace Mirc.Grains.Security;

/// <summary>
/// Runs an index query for a restricted principal so that listing equals retrieving: the index pre-filters with the
/// scope's superset, then every row is re-checked with <see cref="StudyVisibilityFilter"/> before paging and counting.
/// <para>
/// Paging limit: when post-filtering is needed, at most <see cref="IndexQuery.MaxLimit"/> candidate rows are examined
/// per request (matches beyond them are not listed; narrow the query). At PATIENT level the patients and their
/// Number of Patient Related Studies are recomputed from the visible studies, so hidden studies are never counted.
/// </para>
/// </summary>
public static class ScopedIndexSearch
{
    /// <summary>Returns the visible rows of <paramref name="query"/> (whose authorization is replaced by the filter's).</summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> QueryAsync(
        IQueryIndex index, IndexQuery query, StudyVisibilityFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        var scoped = query with { Authorization = filter.Authorization };
        if (filter.IsExact)
        {
            return await index.QueryAsync(scoped, cancellationToken).ConfigureAwait(false);
        }

        var candidates = scoped with { Level = query.Level == QueryLevel.Patient ? QueryLevel.Study : query.Level };
        // At PATIENT level every visible study is needed to count; otherwise only up to the end of the requested page.
        var wanted = query.Level == QueryLevel.Patient ? IndexQuery.MaxLimit : query.Offset + query.Limit;
        var visible = await VisibleCandidatesAsync(index, candidates, wanted, filter, cancellationToken).ConfigureAwait(false);
        if (query.Level != QueryLevel.Patient)
        {
            return visible.Skip(query.Offset).Take(query.Limit).ToList();
        }

        return await PatientsOfAsync(index, scoped, visible, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<IReadOnlyDictionary<uint, string>>> VisibleCandidatesAsync(
        IQueryIndex index, IndexQuery query, int wanted, StudyVisibilityFilter filter, CancellationToken cancellationToken)
    {
        // Fetch from the start in batches until the requested page is filled or the candidate budget is spent.
        var batch = Math.Clamp(wanted * 2, 100, IndexQuery.MaxLimit);
        var visible = new List<IReadOnlyDictionary<uint, string>>();
        for (var offset = 0; offset < IndexQuery.MaxLimit && visible.Count < wanted;)
        {
            var take = Math.Min(batch, IndexQuery.MaxLimit - offset);
            var rows = await index.QueryAsync(query with { Offset = offset, Limit = take }, cancellationToken).ConfigureAwait(false);
            visible.AddRange(await filter.FilterAsync(rows, cancellationToken).ConfigureAwait(false));
            if (rows.Count < take)
            {
                break;
            }

            offset += rows.Count;
        }

        return visible;
    }

    private static async Task<IReadOnlyList<IReadOnlyDictionary<uint, string>>> PatientsOfAsync(
        IQueryIndex index, IndexQuery patientQuery, List<IReadOnlyDictionary<uint, string>> visibleStudies, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string?, string?, string?), int>();
        foreach (var study in visibleStudies)
        {
            var key = PatientKey(study);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var patients = await index.QueryAsync(patientQuery with { Offset = 0, Limit = IndexQuery.MaxLimit }, cancellationToken).ConfigureAwait(false);
        var result = new List<IReadOnlyDictionary<uint, string>>();
        foreach (var patient in patients)
        {
            if (counts.TryGetValue(PatientKey(patient), out var count))
            {
                var row = new Dictionary<uint, string>(patient)
                {
                    [IndexTags.NumberOfPatientRelatedStudies] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                result.Add(row);
            }
        }

        return result.Skip(patientQuery.Offset).Take(patientQuery.Limit).ToList();
    }

    private static (string?, string?, string?) PatientKey(IReadOnlyDictionary<uint, string> row) =>
        (row.GetValueOrDefault(IndexTags.RegionalPatientId), row.GetValueOrDefault(IndexTags.PatientId), row.GetValueOrDefault(IndexTags.IssuerOfPatientId));
}
