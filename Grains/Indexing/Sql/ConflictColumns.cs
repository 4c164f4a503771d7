namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The <c>ON CONFLICT … DO UPDATE</c> clause of a parent row's upsert, from its columns: some follow the incoming value,
/// the others keep the stored one when the incoming value is NULL.
/// </summary>
internal sealed class ConflictColumns
{
    public ConflictColumns(string table, string target, IReadOnlyList<string> follow, IReadOnlyList<string> keepWhenAbsent)
    {
        Always = $"ON CONFLICT ({target}) DO UPDATE SET " + string.Join(", ",
            follow.Select(c => $"{c} = excluded.{c}").Concat(keepWhenAbsent.Select(c => $"{c} = COALESCE(excluded.{c}, {table}.{c})")));
        WhenChanged = Always + " WHERE " + string.Join(" OR ",
            follow.Select(c => $"{table}.{c} IS NOT excluded.{c}")
                .Concat(keepWhenAbsent.Select(c => $"(excluded.{c} IS NOT NULL AND {table}.{c} IS NOT excluded.{c})")));
    }

    /// <summary>Updates the row whatever its values (a batch statement reads every row's key from <c>RETURNING</c>).</summary>
    public string Always { get; }

    /// <summary>
    /// Updates the row only when a value changes, so an unchanged row is neither rewritten nor returned by <c>RETURNING</c>.
    /// SQLite syntax (<c>IS NOT</c> compares any two values, NULL included).
    /// </summary>
    public string WhenChanged { get; }
}
