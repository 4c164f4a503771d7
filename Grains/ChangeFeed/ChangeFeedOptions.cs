namespace Mirc.Grains.ChangeFeed;

/// <summary>
/// Change feed configuration, section <c>Mirc:ChangeFeed</c>. Its database follows the query index's: PostgreSQL
/// (<c>Mirc:Index:Provider=Postgres</c>, same connection string) or SQLite at <see cref="SqlitePath"/>.
/// </summary>
public sealed class ChangeFeedOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:ChangeFeed";

    /// <summary>SQLite database file; defaults to <c>&lt;Mirc:DataPath&gt;/changefeed.db</c>.</summary>
    public string? SqlitePath { get; set; }
}
