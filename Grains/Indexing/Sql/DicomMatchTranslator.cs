using System.Globalization;
using System.Text;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// Turns one DICOM matching key into a SQL condition (PS3.4 C.2.2.2): universal (empty or <c>*</c>), single value,
/// wildcard (<c>*</c>, <c>?</c>; GLOB on SQLite, LIKE … ESCAPE on PostgreSQL), range (<c>A-B</c>, <c>-B</c>, <c>A-</c>) and
/// UID list (<c>a\b</c>). Every value is a parameter; wildcard metacharacters of the SQL side are escaped.
/// </summary>
internal sealed class DicomMatchTranslator(SqlDialect dialect)
{
    /// <summary>The condition, or <c>null</c> when the key matches everything.</summary>
    public string? Translate(IndexColumn column, string value, SqlParameters parameters)
    {
        value = value.Trim();
        if (value.Length == 0 || value == "*" || column.Kind == MatchKind.None)
        {
            return null;
        }

        return column.Kind switch
        {
            MatchKind.Text => TextOrPattern(column.MatchColumn, value, parameters),
            MatchKind.PersonName => PersonName(column.MatchColumn, value, parameters),
            MatchKind.Date => Range(column.MatchColumn, value, parameters, upperSuffix: string.Empty),
            MatchKind.Time => Range(column.MatchColumn, value, parameters, upperSuffix: "~"),
            MatchKind.Uid => UidList(column.MatchColumn, value, parameters),
            MatchKind.Integer => Integer(column, value, parameters),
            MatchKind.Modalities => Modalities(column.MatchColumn, value, parameters),
            _ => null,
        };
    }

    private string TextOrPattern(string column, string value, SqlParameters parameters) =>
        HasWildcard(value) ? Pattern(column, value, parameters) : $"{column} = {parameters.Add(value)}";

    private string? PersonName(string column, string value, SqlParameters parameters)
    {
        var folded = PersonNameNormalizer.Normalize(value);
        return folded is null || folded == "*" ? null : TextOrPattern(column, folded, parameters);
    }

    private static string Range(string column, string value, SqlParameters parameters, string upperSuffix)
    {
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            // A single time is a prefix (1030 matches 103000.5); a single date is exact.
            return upperSuffix.Length == 0
                ? $"{column} = {parameters.Add(value)}"
                : $"({column} >= {parameters.Add(value)} AND {column} <= {parameters.Add(value + upperSuffix)})";
        }

        var lower = value[..dash].Trim();
        var upper = value[(dash + 1)..].Trim();
        var conditions = new List<string>(2);
        if (lower.Length > 0)
        {
            conditions.Add($"{column} >= {parameters.Add(lower)}");
        }

        if (upper.Length > 0)
        {
            conditions.Add($"{column} <= {parameters.Add(upper + upperSuffix)}");
        }

        return conditions.Count == 0 ? "1 = 1" : "(" + string.Join(" AND ", conditions) + ")";
    }

    private static string UidList(string column, string value, SqlParameters parameters)
    {
        var uids = SplitValues(value);
        return uids.Count == 0 ? "1 = 1" : uids.Count == 1 ? $"{column} = {parameters.Add(uids[0])}" : $"{column} IN ({parameters.AddList(uids)})";
    }

    private static string Integer(IndexColumn column, string value, SqlParameters parameters)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            throw new ArgumentException($"Matching key '{value}' of tag {column.Tag:X8} is not an integer.");
        }

        return $"{column.MatchColumn} = {parameters.Add(number)}";
    }

    private string Modalities(string seriesColumn, string value, SqlParameters parameters)
    {
        var values = SplitValues(value);
        if (values.Count == 0)
        {
            return "1 = 1";
        }

        var condition = values.Count == 1
            ? TextOrPattern(seriesColumn, values[0], parameters)
            : $"{seriesColumn} IN ({parameters.AddList(values)})";
        return $"EXISTS (SELECT 1 FROM series se2 WHERE se2.study_key = st.study_key AND {condition})";
    }

    /// <summary>Whether a ModalitiesInStudy key is one or more exact modalities (no wildcard, not universal).</summary>
    public static bool AreExactValues(string? value) =>
        value is not null && !HasWildcard(value) && SplitValues(value).Count > 0;

    /// <summary>
    /// Exact ModalitiesInStudy values as a condition on the study row's own list (studies.modalities: its series'
    /// distinct non-empty modalities joined by '\', recomputed by the writer with every write of the study), true
    /// exactly when the series EXISTS of <see cref="Translate"/> is; null when the key is not exact.
    /// </summary>
    public string? StudyModalities(string value, SqlParameters parameters)
    {
        if (!AreExactValues(value))
        {
            return null;
        }

        // A modality (CS) cannot contain '\': delimited on both sides, a value matches whole list entries only.
        var find = dialect == SqlDialect.Sqlite ? "instr('\\' || st.modalities || '\\', {0}) > 0" : "strpos('\\' || st.modalities || '\\', {0}) > 0";
        var conditions = SplitValues(value).Distinct(StringComparer.Ordinal)
            .Select(v => string.Format(CultureInfo.InvariantCulture, find, parameters.Add("\\" + v + "\\")))
            .ToList();
        return conditions.Count == 1 ? conditions[0] : "(" + string.Join(" OR ", conditions) + ")";
    }

    private string Pattern(string column, string value, SqlParameters parameters)
    {
        var pattern = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (dialect == SqlDialect.Sqlite)
            {
                // GLOB: * and ? mean what DICOM means; only '[' opens a character class.
                pattern.Append(c == '[' ? "[[]" : c.ToString());
            }
            else
            {
                pattern.Append(c switch
                {
                    '*' => "%",
                    '?' => "_",
                    '%' or '_' or '\\' => "\\" + c,
                    _ => c.ToString(),
                });
            }
        }

        var placeholder = parameters.Add(pattern.ToString());
        return dialect == SqlDialect.Sqlite ? $"{column} GLOB {placeholder}" : $"{column} LIKE {placeholder} ESCAPE '\\'";
    }

    private static bool HasWildcard(string value) => value.AsSpan().IndexOfAny('*', '?') >= 0;

    private static List<string> SplitValues(string value) =>
        value.Split('\\', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
