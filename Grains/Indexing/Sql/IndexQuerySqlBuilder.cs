using System.Text;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// Builds the SELECT (and COUNT) of an <see cref="IndexQuery"/>: joins from the query level up to the patient, one
/// condition per matching key, and the authorization filter inside the WHERE clause so rows and counts agree.
/// </summary>
internal sealed class IndexQuerySqlBuilder(SqlDialect dialect)
{
    private readonly DicomMatchTranslator _translator = new(dialect);

    public SqlStatement BuildSelect(IndexQuery query)
    {
        Validate(query);
        var parameters = new SqlParameters();
        var columns = IndexColumns.For(query.Level);
        var where = BuildWhere(query, parameters, out var authorization);
        var studyCount = PatientStudyCount(authorization);
        var select = string.Join(", ", columns.Select(c => c.Select == IndexColumns.PatientStudyCountPlaceholder ? studyCount : c.Select));
        var sql = new StringBuilder()
            .Append("SELECT ").Append(select)
            .Append(" FROM ").Append(From(query.Level))
            .Append(where)
            .Append(" ORDER BY ").Append(OrderKey(query, dialect))
            .Append(" LIMIT ").Append(parameters.Add((long)query.Limit))
            .Append(" OFFSET ").Append(parameters.Add((long)query.Offset));
        return new SqlStatement(sql.ToString(), parameters, columns);
    }

    public SqlStatement BuildCount(IndexQuery query)
    {
        Validate(query);
        var parameters = new SqlParameters();
        var where = BuildWhere(query, parameters, out _);
        return new SqlStatement($"SELECT COUNT(*) FROM {From(query.Level)}{where}", parameters, []);
    }

    private string BuildWhere(IndexQuery query, SqlParameters parameters, out AuthorizationLists lists)
    {
        var conditions = new List<string>();
        foreach (var (tag, value) in query.Matches)
        {
            if (IndexColumns.Find(tag, query.Level) is not { } column)
            {
                throw IndexColumns.Contains(tag)
                    ? new ArgumentException($"Tag {tag:X8} belongs to a level below query level {query.Level}.", nameof(query))
                    : new ArgumentException($"Tag {tag:X8} is not a matching key of the index.", nameof(query));
            }

            if (value is not null && _translator.Translate(column, value, parameters) is { } condition)
            {
                conditions.Add(condition);
            }
        }

        lists = new AuthorizationLists(query.Authorization, parameters);
        if (query.Level == QueryLevel.Patient)
        {
            // Only patients with at least one visible study.
            conditions.Add($"EXISTS (SELECT 1 FROM studies sa WHERE sa.patient_key = p.patient_key{lists.StudyFilter("sa", " AND ")})");
        }
        else if (lists.StudyFilter("st", string.Empty) is { Length: > 0 } filter)
        {
            conditions.Add(filter);
        }

        return conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions);
    }

    private static string PatientStudyCount(AuthorizationLists lists) =>
        $"(SELECT COUNT(*) FROM studies sc WHERE sc.patient_key = p.patient_key{lists.StudyFilter("sc", " AND ")})";

    private static void Validate(IndexQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(query.Authorization);
        if (query.Limit is < 1 or > IndexQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), $"Limit must be 1-{IndexQuery.MaxLimit}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
    }

    private static string From(QueryLevel level) => level switch
    {
        QueryLevel.Patient => "patients p",
        QueryLevel.Study => "studies st JOIN patients p ON p.patient_key = st.patient_key",
        QueryLevel.Series => "series se JOIN studies st ON st.study_key = se.study_key JOIN patients p ON p.patient_key = st.patient_key",
        QueryLevel.Image => "instances i JOIN series se ON se.series_key = i.series_key JOIN studies st ON st.study_key = se.study_key JOIN patients p ON p.patient_key = st.patient_key",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    // Over twenty years of a region a study-date search matches tens of thousands of studies a week, a family-name
    // prefix a hundred thousand patients: ordered by (study_date, study_key), or (patient name, study_key), the page is
    // read in order off ix_studies_date or ix_patients_name and the scan stops at the limit, where ordering by study_key
    // alone would either fetch and sort every match or walk the whole study table filtering. Both orders are total
    // (study_key last), so paging stays stable. On PostgreSQL the name order is the one of ix_patients_name's operator
    // class (text_pattern_ops, byte order): with the default text order the index could not deliver it sorted.
    private static string OrderKey(IndexQuery query, SqlDialect dialect)
    {
        if (query.Level != QueryLevel.Study)
        {
            return OrderKey(query.Level);
        }

        return IsMatched(query, IndexTags.StudyDate) ? "st.study_date, st.study_key"
            : IsMatched(query, IndexTags.PatientName) ? (dialect == SqlDialect.Postgres ? "p.patient_name_norm USING ~<~, st.study_key" : "p.patient_name_norm, st.study_key")
            : OrderKey(query.Level);
    }

    private static bool IsMatched(IndexQuery query, uint tag) =>
        query.Matches.TryGetValue(tag, out var value) && value?.Trim() is { Length: > 0 } key && key != "*";

    private static string OrderKey(QueryLevel level) => level switch
    {
        QueryLevel.Patient => "p.patient_key",
        QueryLevel.Study => "st.study_key",
        QueryLevel.Series => "se.series_key",
        _ => "i.instance_key",
    };

    /// <summary>The authorization sets as parameters, added once and referenced wherever the filter appears.</summary>
    private sealed class AuthorizationLists
    {
        private readonly IndexAuthorization _authorization;
        private readonly string? _establishments;
        private readonly string? _regionalIds;

        public AuthorizationLists(IndexAuthorization authorization, SqlParameters parameters)
        {
            _authorization = authorization;
            if (!authorization.IsAll)
            {
                _establishments = authorization.EstablishmentIds.Count > 0 ? parameters.AddList(authorization.EstablishmentIds.Order(StringComparer.Ordinal)) : null;
                _regionalIds = authorization.RegionalPatientIds.Count > 0 ? parameters.AddList(authorization.RegionalPatientIds.Order(StringComparer.Ordinal)) : null;
            }
        }

        /// <summary>Visibility of a study row (alias <paramref name="study"/>, its patient is p), prefixed by <paramref name="prefix"/>; empty when everything is visible.</summary>
        public string StudyFilter(string study, string prefix)
        {
            if (_authorization.IsAll)
            {
                return string.Empty;
            }

            var parts = new List<string>(2);
            if (_establishments is not null)
            {
                parts.Add($"{study}.establishment_id IN ({_establishments})");
            }

            if (_regionalIds is not null)
            {
                parts.Add($"p.regional_patient_id IN ({_regionalIds})");
            }

            return prefix + (parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")");
        }
    }
}
