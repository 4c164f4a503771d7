using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Indexing;

/// <summary>Query index configuration, section <c>Mirc:Index</c>.</summary>
public sealed class QueryIndexOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Index";

    /// <summary>Implementation to use.</summary>
    public QueryIndexProvider Provider { get; set; } = QueryIndexProvider.Sqlite;

    /// <summary>SQLite database file; defaults to <c>&lt;Mirc:DataPath&gt;/index.db</c>.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>Npgsql connection string (required for <see cref="QueryIndexProvider.Postgres"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How the silo logs in to PostgreSQL: the connection string's password, or an Entra ID token of its identity
    /// (Azure Database for PostgreSQL with Entra authentication; the connection string then has no password).
    /// </summary>
    public PostgresAuthentication PostgresAuthentication { get; set; } = PostgresAuthentication.Password;

    /// <summary>Most instances committed in one group-commit transaction.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1_000;
}
