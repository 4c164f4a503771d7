using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Reminders;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>Silo side of two-site replication: the catch-up copier, the scrubber and its reminder (when a second site is configured).</summary>
public static class ReplicationServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ReplicaCatchUp"/>, <see cref="ChangeFeedMirror"/>, <see cref="ReplicaScrubber"/> and the scrub reminder's start-up, if <c>Mirc:Replication</c> names a second site.</summary>
    public static IServiceCollection AddReplicaMaintenance(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetSection(ReplicationOptions.Section).Get<ReplicationOptions>() is not { Enabled: true })
        {
            return services;
        }

        services.AddHostedService(sp => new ReplicaCatchUp(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<ReplicationOptions>(), sp.GetRequiredService<ILogger<ReplicaCatchUp>>()));
        services.TryAddSingleton(sp => new ReplicaScrubber(
            (ReplicatedBlobStore)sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<IChangeFeed>(),
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IAuditTrail>(),
            configuration.GetSection(BlobStorageOptions.Section).Get<BlobStorageOptions>()?.Provider != BlobStorageProvider.Azure,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ReplicaScrubber>>()));
        ReminderJobStartup.Register(services, "Replica scrub", grains => grains.Reference<IReplicaScrubGrain>(IReplicaScrubGrain.Key).ScheduleAsync());
        services.TryAddSingleton(sp => new ChangeFeedMirror(
            sp.GetRequiredService<IChangeFeed>(),
            (ReplicatedBlobStore)sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<ReplicationOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ChangeFeedMirror>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeedMirror>());
        return services;
    }
}
