using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Mirc.Grains.Dimse;

namespace Mirc.Grains.Sharing;

/// <summary>Registers the push of studies to recipient AEs.</summary>
public static class SharingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SharingOptions"/> (section <c>Mirc:Sharing</c>, calling AE defaulting to <c>Mirc:Dicom:AeTitle</c>,
    /// validated at start-up), the <see cref="ShareQueue"/>, the <see cref="SharePusher"/> and the hosted
    /// <see cref="SharePushWorker"/>. Call after <c>UseOrleans</c> so the worker starts once the silo is active.
    /// Expects <c>AddMircArchive</c> (retriever) on the same host.
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
        services.TryAddSingleton<ShareQueue>();
        services.AddMircDicomPeerTls(configuration);
        services.TryAddSingleton<SharePusher>();
        if (!services.Any(d => d.ImplementationType == typeof(SharePushWorker)))
            services.AddSingleton<IHostedService, SharePushWorker>();
        return services;
    }
}
