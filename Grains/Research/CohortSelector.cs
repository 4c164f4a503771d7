using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Research;

namespace Mirc.Grains.Research;

/// <summary>
/// The instances of a cohort, from the query index: one image-level query per modality × body part (the index matches
/// one value per key), the date range as a range match, the establishments as the query's visibility filter; paged,
/// de-duplicated, in the index's stable order. Each instance carries its patient's regional id (null when it has none).
/// </summary>
public sealed class CohortSelector(IQueryIndex index)
{
    /// <summary>The cohort's instances (at most <paramref name="maxInstances"/>).</summary>
    /// <exception cref="ArgumentException">A date is not <c>YYYYMMDD</c>.</exception>
    /// <exception cref="InvalidOperationException">The cohort has more than <paramref name="maxInstances"/> instances.</exception>
    public async Task<IReadOnlyList<(ExportItem Item, bool HasRegionalId)>> SelectAsync(CohortCriteria cohort, int maxInstances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        var authorization = cohort.EstablishmentIds.Count == 0
            ? IndexAuthorization.All
            : IndexAuthorization.Restricted(cohort.EstablishmentIds, []);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(ExportItem, bool)>();
        foreach (var modality in OrAny(cohort.Modalities))
        {
            foreach (var bodyPart in OrAny(cohort.BodyParts))
            {
                var matches = new Dictionary<uint, string>();
                if (modality is not null) matches[IndexTags.Modality] = modality;
                if (bodyPart is not null) matches[IndexTags.BodyPartExamined] = bodyPart;
                if (DateRange(cohort) is { } range) matches[IndexTags.StudyDate] = range;
                for (var offset = 0; ; offset += IndexQuery.MaxLimit)
                {
                    var rows = await index.QueryAsync(new IndexQuery(QueryLevel.Image, authorization) { Matches = matches, Limit = IndexQuery.MaxLimit, Offset = offset }, cancellationToken).ConfigureAwait(false);
                    foreach (var row in rows)
                    {
                        var sop = row[IndexTags.SopInstanceUid];
                        if (!seen.Add(sop)) continue;
                        if (items.Count >= maxInstances)
                            throw new InvalidOperationException($"The cohort has more than {maxInstances} instances (Mirc:Research:MaxInstances): narrow it.");
                        var regional = row.GetValueOrDefault(IndexTags.RegionalPatientId);
                        var patient = string.IsNullOrEmpty(regional)
                            ? $"local:{row.GetValueOrDefault(IndexTags.ProducingEstablishmentId)}:{row.GetValueOrDefault(IndexTags.IssuerOfPatientId)}:{row.GetValueOrDefault(IndexTags.PatientId)}"
                            : regional;
                        items.Add((new ExportItem(row[IndexTags.StudyInstanceUid], row[IndexTags.SeriesInstanceUid], sop, patient), !string.IsNullOrEmpty(regional)));
                    }

                    if (rows.Count < IndexQuery.MaxLimit) break;
                }
            }
        }

        return items;
    }

    private static IEnumerable<string?> OrAny(IReadOnlyList<string> values) =>
        values.Count == 0 ? new string?[] { null } : values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(string? (v) => v.Trim()).Distinct(StringComparer.Ordinal);

    private static string? DateRange(CohortCriteria cohort)
    {
        var from = Validate(cohort.StudyDateFrom);
        var to = Validate(cohort.StudyDateTo);
        return from is null && to is null ? null : $"{from}-{to}";
    }

    private static string? Validate(string? date)
    {
        if (string.IsNullOrWhiteSpace(date)) return null;
        var trimmed = date.Trim();
        return DateOnly.TryParseExact(trimmed, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
            ? trimmed
            : throw new ArgumentException($"'{date}' is not a date YYYYMMDD.", nameof(date));
    }
}
