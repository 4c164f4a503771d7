namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The <c>ON CONFLICT … DO UPDATE</c> clause of a parent row's upsert, from its columns: some follow the incoming value,
/// the others keep the stored one when the incoming value is NULL. The update runs only when a value changes: every
/// instance of a study would otherwise rewrite its patient, study and series rows (on SQLite with the entries of every
/// index on an assigned column, on PostgreSQL as new row versions). An unchanged row is then not returned by
/// <c>RETURNING</c>: its key is looked up.
/// </summary>
internal sealed class ConflictColumns(string table, string target, IReadOnlyList<string> follow, IReadOnlyList<string> keepWhenAbsent)
{
    /// <summary>The clause (<c>IS DISTINCT FROM</c>: SQLite ≥ 3.39 and PostgreSQL compare any two values, NULL included).</summary>
    public string WhenChanged { get; } = $"ON CONFLICT ({target}) DO UPDATE SET "
        + string.Join(", ", follow.Select(c => $"{c} = excluded.{c}").Concat(keepWhenAbsent.Select(c => $"{c} = COALESCE(excluded.{c}, {table}.{c})")))
        + " WHERE "
        + string.Join(" OR ", follow.Select(c => $"{table}.{c} IS DISTINCT FROM excluded.{c}")
            .Concat(keepWhenAbsent.Select(c => $"(excluded.{c} IS NOT NULL AND {table}.{c} IS DISTINCT FROM excluded.{c})")));
}
