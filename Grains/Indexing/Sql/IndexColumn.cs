namespace Mirc.Grains.Indexing.Sql;

/// <summary>Where an <see cref="IndexTags"/> attribute lives in the relational schema.</summary>
/// <param name="Tag">The tag.</param>
/// <param name="Level">Level that owns the attribute.</param>
/// <param name="Select">SQL expression returned (table alias p, st, se or i).</param>
/// <param name="MatchColumn">Column compared when matching (the folded one for names).</param>
/// <param name="Kind">Matching rules.</param>
/// <param name="IsInteger">Whether the returned value is an integer column.</param>
internal sealed record IndexColumn(uint Tag, QueryLevel Level, string Select, string MatchColumn, MatchKind Kind, bool IsInteger = false);
