namespace Mirc.Grains.Indexing;

/// <summary>Which <see cref="IQueryIndex"/> implementation is used.</summary>
public enum QueryIndexProvider
{
    /// <summary>Embedded SQLite file.</summary>
    Sqlite,

    /// <summary>Shared PostgreSQL database (cluster mode).</summary>
    Postgres,
}
