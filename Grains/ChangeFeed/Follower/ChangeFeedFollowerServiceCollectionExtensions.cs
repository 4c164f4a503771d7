using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Hosting;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Reminders;

namespace Mirc.Grains.ChangeFeed.Follower;

/// <summary>Registers the change-feed follower (silo side: its projections call grains).</summary>
public static class ChangeFeedFollowerServiceCollectionExtensions
{
    /// <summary>
    /// Validated <see cref="ChangeFeedFollowerOptions"/>, the query-index, patient-study and retention-schedule projections, the backfill,
    /// and the start-up that (re)registers the follower grain's reminder.
    /// </summary>
    public static IServiceCollection AddChangeFeedFollower(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChangeFeedFollowerOptions>()
            .Bind(configuration.GetSection(ChangeFeedFollowerOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChangeFeedFollowerOptions>, AnnotatedOptionsValidator<ChangeFeedFollowerOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChangeFeedProjection, QueryIndexProjection>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChangeFeedProjection, PatientStudyProjection>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChangeFeedProjection, RetentionScheduleProjection>());
        services.TryAddSingleton<ChangeFeedBackfill>();
        ReminderJobStartup.Register(services, "Change-feed follower", grains => grains.Reference<IChangeFeedFollowerGrain>(IChangeFeedFollowerGrain.Key).ScheduleAsync());
        return services;
    }
}
