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
        var keysFirst = ReadsStudyKeysFirst(query);
        var conditions = MatchConditions(query, parameters, studyModalities: keysFirst, out var namesPatient);
        var lists = new AuthorizationLists(query.Authorization, parameters);
        var studyCount = PatientStudyCount(lists);
        var select = string.Join(", ", columns.Select(c => c.Select == IndexColumns.PatientStudyCountPlaceholder ? studyCount : c.Select));
        var order = OrderKey(query, dialect);
        var sql = new StringBuilder().Append("SELECT ").Append(select);
        if (keysFirst)
        {
            var pageEnd = parameters.Add((long)query.Limit + query.Offset);
            var orderNamesPatient = OrdersByPatientName(query);
            sql.Append(" FROM (").Append(StudyKeys(conditions, namesPatient || orderNamesPatient, lists, order, pageEnd))
                .Append(") v JOIN studies st ON st.study_key = v.study_key JOIN patients p ON p.patient_key = st.patient_key");
        }
        else
        {
            sql.Append(" FROM ").Append(From(query.Level)).Append(Where(conditions, VisibilityCondition(query.Level, lists)));
        }

        sql.Append(" ORDER BY ").Append(order)
            .Append(" LIMIT ").Append(parameters.Add((long)query.Limit))
            .Append(" OFFSET ").Append(parameters.Add((long)query.Offset));
        return new SqlStatement(sql.ToString(), parameters, columns);
    }

    public SqlStatement BuildCount(IndexQuery query)
    {
        Validate(query);
        var parameters = new SqlParameters();
        var conditions = MatchConditions(query, parameters, studyModalities: false, out _);
        var lists = new AuthorizationLists(query.Authorization, parameters);
        if (query.Level == QueryLevel.Study && lists.IsEither)
        {
            // Both branches join the patient, as the study query does: the count is of rows a query can return.
            var union = $"SELECT st.study_key FROM {From(query.Level)}{Where(conditions, lists.EstablishmentCondition("st"))} UNION SELECT st.study_key FROM {From(query.Level)}{Where(conditions, lists.RegionalCondition)}";
            return new SqlStatement($"SELECT COUNT(*) FROM ({union}) v", parameters, []);
        }

        return new SqlStatement($"SELECT COUNT(*) FROM {From(query.Level)}{Where(conditions, VisibilityCondition(query.Level, lists))}", parameters, []);
    }

    // The study rows a key query reads: the patient is joined only when a condition or the order names it, so a key
    // query on study columns alone can be an index-only scan (PostgreSQL 15 drops an unused LEFT JOIN but still
    // counts its join column as needed, which rules the index-only scan out).
    private static string StudyKeySource(bool withPatient) =>
        withPatient ? "studies st JOIN patients p ON p.patient_key = st.patient_key" : "studies st";

    // At study level two shapes read the page's study keys first, then fetch the page's rows (joins by primary key):
    // - an establishment user's visibility "establishment OR regional patient" spans two tables, so no index serves the
    //   OR: every study of the other conditions (a whole day: ~7 k studies at 50 M) was read with its patient. Split
    //   into a UNION, each branch is one index range: (establishment_id, study_date, study_key) and the patients'
    //   regional ids → their studies; each branch stops at the end of the page, the union is at most twice the page.
    // - exact ModalitiesInStudy with a study date: studies.modalities (the writer recomputes it from the series rows with
    //   every write of the study) is in ix_studies_date, so the date's range is filtered inside the index, in page
    //   order, instead of one series probe per study of the day (3 % match NM: ~3.3 k probes per page of 100).
    private static bool ReadsStudyKeysFirst(IndexQuery query) =>
        query.Level == QueryLevel.Study
        && (query.Authorization is { IsAll: false, EstablishmentIds.Count: > 0, RegionalPatientIds.Count: > 0 }
            || (IsMatched(query, IndexTags.StudyDate) && query.Matches.TryGetValue(IndexTags.ModalitiesInStudy, out var modalities) && DicomMatchTranslator.AreExactValues(modalities)));

    private static string StudyKeys(List<string> conditions, bool namesPatient, AuthorizationLists lists, string order, string pageEnd)
    {
        string Branch(string? visibility, bool withPatient) =>
            $"SELECT st.study_key FROM {StudyKeySource(withPatient)}{Where(conditions, visibility)} ORDER BY {order} LIMIT {pageEnd}";
        if (lists.IsEither)
        {
            return $"SELECT study_key FROM ({Branch(lists.EstablishmentCondition("st"), namesPatient)}) ke UNION SELECT study_key FROM ({Branch(lists.RegionalCondition, true)}) kr";
        }

        var visibility = lists.StudyFilter("st", string.Empty) is { Length: > 0 } filter ? filter : null;
        return Branch(visibility, namesPatient || lists.NamesPatient);
    }

    /// <summary>One condition per matching key; <paramref name="namesPatient"/>: one of them is on the patient row (p).</summary>
    private List<string> MatchConditions(IndexQuery query, SqlParameters parameters, bool studyModalities, out bool namesPatient)
    {
        var conditions = new List<string>();
        namesPatient = false;
        foreach (var (tag, value) in query.Matches)
        {
            if (IndexColumns.Find(tag, query.Level) is not { } column)
            {
                throw IndexColumns.Contains(tag)
                    ? new ArgumentException($"Tag {tag:X8} belongs to a level below query level {query.Level}.", nameof(query))
                    : new ArgumentException($"Tag {tag:X8} is not a matching key of the index.", nameof(query));
            }

            var condition = value is null ? null
                : studyModalities && tag == IndexTags.ModalitiesInStudy ? _translator.StudyModalities(value, parameters)
                : _translator.Translate(column, value, parameters);
            if (condition is not null)
            {
                conditions.Add(condition);
                namesPatient |= column.Level == QueryLevel.Patient;
            }
        }

        return conditions;
    }

    private static string? VisibilityCondition(QueryLevel level, AuthorizationLists lists) =>
        level == QueryLevel.Patient
            // Only patients with at least one visible study.
            ? $"EXISTS (SELECT 1 FROM studies sa WHERE sa.patient_key = p.patient_key{lists.StudyFilter("sa", " AND ")})"
            : lists.StudyFilter("st", string.Empty) is { Length: > 0 } filter ? filter : null;

    private static string Where(List<string> conditions, string? visibility)
    {
        var all = visibility is null ? conditions : [.. conditions, visibility];
        return all.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", all);
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
            : OrdersByPatientName(query) ? (dialect == SqlDialect.Postgres ? "p.patient_name_norm USING ~<~, st.study_key" : "p.patient_name_norm, st.study_key")
            : OrderKey(query.Level);
    }

    private static bool OrdersByPatientName(IndexQuery query) =>
        query.Level == QueryLevel.Study && !IsMatched(query, IndexTags.StudyDate) && IsMatched(query, IndexTags.PatientName);

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

        /// <summary>The visibility names the patient row (p): a regional id set is given.</summary>
        public bool NamesPatient => _regionalIds is not null;

        /// <summary>Both sets are non-empty: visibility is "establishment OR regional patient".</summary>
        public bool IsEither => _establishments is not null && _regionalIds is not null;

        /// <summary>The regional-patient half of the visibility (its patient is p).</summary>
        public string RegionalCondition => $"p.regional_patient_id IN ({_regionalIds})";

        /// <summary>The establishment half of the visibility of study row <paramref name="study"/>.</summary>
        public string EstablishmentCondition(string study) => $"{study}.establishment_id IN ({_establishments})";

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
                parts.Add(EstablishmentCondition(study));
            }

            if (_regionalIds is not null)
            {
                parts.Add(RegionalCondition);
            }

            return prefix + (parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")");
        }
    }
}
