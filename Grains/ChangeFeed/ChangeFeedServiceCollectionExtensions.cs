using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Blobs;

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
        services.TryAddSingleton<IChangeFeed>(sp => Create(configuration, sp.GetService<TimeProvider>(), sp.GetService<IBlobStore>() as FileSystemBlobStore));
        services.TryAddSingleton<ManifestHeaders>();
        services.TryAddSingleton<QueryIndexRebuilder>();
        return services;
    }

    /// <summary>
    /// The feed configured by <paramref name="configuration"/>; an embedded feed on the file system whose flush rounds
    /// <paramref name="blobs"/> runs commits manifest events without a flush of its own (see <see cref="SqliteChangeFeed"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is chosen without a connection string.</exception>
    public static RelationalChangeFeed Create(IConfiguration configuration, TimeProvider? clock = null, FileSystemBlobStore? blobs = null)
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
        var file = Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? Path.Combine(configuration["Mirc:DataPath"] ?? "./data", "changefeed.db") : path);
        var folder = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(folder);
        return new SqliteChangeFeed(file, clock, flushedWithDataFolder: blobs?.FlushRoundsCover(folder) == true);
    }
}
