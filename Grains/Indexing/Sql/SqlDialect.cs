namespace Mirc.Grains.Indexing.Sql;

/// <summary>SQL flavour of a relational index (the few places the shared SQL differs).</summary>
internal enum SqlDialect
{
    /// <summary>SQLite: wildcard matching with case-sensitive GLOB.</summary>
    Sqlite,

    /// <summary>PostgreSQL: wildcard matching with LIKE … ESCAPE.</summary>
    Postgres,
}
