using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirc.Grains.Indexing;

namespace Mirc.Grains.ChangeFeed;

/// <summary>Registers the <see cref="IChangeFeed"/> in the query index's kind of database.</summary>
public static class ChangeFeedServiceCollectionExtensions
{
    /// <summary>
    /// The singleton <see cref="IChangeFeed"/>: PostgreSQL when the index is (same connection string), else SQLite at
    /// <c>Mirc:ChangeFeed:SqlitePath</c> (default <c>&lt;Mirc:DataPath&gt;/changefeed.db</c>), and the
    /// <see cref="QueryIndexRebuilder"/> that replays it into the index.
    /// </summary>
    public static IServiceCollection AddChangeFeed(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<IChangeFeed>(sp => Create(configuration, sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ManifestHeaders>();
        services.TryAddSingleton<QueryIndexRebuilder>();
        return services;
    }

    /// <summary>The feed configured by <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen without a connection string.</exception>
    public static RelationalChangeFeed Create(IConfiguration configuration, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var index = configuration.GetSection(QueryIndexOptions.Section);
        if (Enum.TryParse<QueryIndexProvider>(index["Provider"], ignoreCase: true, out var provider) && provider == QueryIndexProvider.Postgres)
        {
            var connectionString = index["ConnectionString"];
            return string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException("Mirc:Index:ConnectionString is required: the change feed lives in the index's PostgreSQL database")
                : new PostgresChangeFeed(connectionString, clock, PostgresDataSources.CredentialFor(PostgresDataSources.Parse(index["PostgresAuthentication"])));
        }

        var path = configuration[$"{ChangeFeedOptions.Section}:SqlitePath"];
        return new SqliteChangeFeed(string.IsNullOrWhiteSpace(path) ? Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "changefeed.db") : path, clock);
    }
}
