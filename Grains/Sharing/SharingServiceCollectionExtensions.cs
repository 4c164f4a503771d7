using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mirc.Grains.Dimse;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Sharing;
using Mirc.Grains.Reminders;

namespace Mirc.Grains.Sharing;

/// <summary>Registers the push of studies to recipient AEs.</summary>
public static class SharingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SharingOptions"/> (section <c>Mirc:Sharing</c>, calling AE defaulting to <c>Mirc:Dicom:AeTitle</c>,
    /// validated at start-up), the <see cref="SharePusher"/> and the silo's <see cref="SharePushRunner"/>, and at each silo
    /// start re-registers the reminders of the pending shares (due when their next attempt is). Expects a reminder
    /// service and <c>AddMircArchive</c> (retriever) on the same silo.
    /// </summary>
    public static IServiceCollection AddMircSharing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var ownAeTitle = configuration["Mirc:Dicom:AeTitle"];
        var section = configuration.GetSection(SharingOptions.Section);
        services.AddOptions<SharingOptions>()
            .Configure(o =>
            {
                if (!string.IsNullOrWhiteSpace(ownAeTitle)) o.CallingAeTitle = ownAeTitle;
            })
            .Bind(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMircDicomPeerTls(configuration);
        services.TryAddSingleton<SharePusher>();
        if (services.Any(d => d.ServiceType == typeof(SharePushRunner))) return services;
        services.AddSingleton<SharePushRunner>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SharePushRunner>());
        ReminderJobStartup.Register(services, "Share retries", ResumePendingSharesAsync);
        return services;
    }

    // Shares created before their reminder existed, or whose reminder is due later than their next attempt (a restart).
    private static async Task ResumePendingSharesAsync(IGrainFactory grains)
    {
        var pending = await grains.Reference<IPendingSharesGrain>(IPendingSharesGrain.SingletonKey).GetAllAsync().ConfigureAwait(false);
        foreach (var shareId in pending) await grains.Reference<IShareGrain>(shareId).ResumeAsync().ConfigureAwait(false);
    }
}
