namespace Mirc.Grains.Indexing.Sql;

/// <summary>SQL text with its parameter values, and the columns a SELECT returns in order.</summary>
internal sealed record SqlStatement(string Text, SqlParameters Parameters, IReadOnlyList<IndexColumn> Columns);
