using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Indexing;

/// <summary>Registers the <see cref="IQueryIndex"/> chosen by configuration.</summary>
public static class QueryIndexServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="QueryIndexOptions"/> from <c>Mirc:Index</c> (SqlitePath defaults to <c>&lt;Mirc:DataPath&gt;/index.db</c>),
    /// validates them at start-up, registers the singleton <see cref="IQueryIndex"/> and a hosted service creating its schema.
    /// </summary>
    public static IServiceCollection AddQueryIndex(this IServiceCollection services, IConfiguration configuration)
    {
        var dataPath = configuration["Mirc:DataPath"] ?? "./data";
        services.AddOptions<QueryIndexOptions>()
            .Bind(configuration.GetSection(QueryIndexOptions.Section))
            .PostConfigure(o => o.SqlitePath ??= Path.Combine(dataPath, "index.db"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueryIndexOptions>, QueryIndexOptionsValidator>());
        services.TryAddSingleton<IQueryIndex>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<QueryIndexOptions>>().Value;
            return o.Provider switch
            {
                QueryIndexProvider.Postgres => new PostgresQueryIndex(o.ConnectionString!, o.MaxBatchSize,
                    PostgresDataSources.CredentialFor(o.PostgresAuthentication)),
                _ => new SqliteQueryIndex(o.SqlitePath!, o.MaxBatchSize),
            };
        });
        services.AddHostedService<QueryIndexInitializer>();
        return services;
    }
}
