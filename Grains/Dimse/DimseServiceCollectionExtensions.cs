using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Dimse;

/// <summary>Registers the silo's DICOM listener.</summary>
public static class DimseServiceCollectionExtensions
{
    /// <summary>Adds the listener bound from <c>Mirc:Dicom</c>, validated at start-up. Needs the archive and security services.</summary>
    public static IServiceCollection AddMircDicomListener(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DicomListenerOptions>()
            .Bind(configuration.GetSection(DicomListenerOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "Mirc:Dicom:BindAddress must be an IP address")
            .ValidateOnStart();
        services.AddOptions<DicomTlsOptions>()
            .Bind(configuration.GetSection(DicomTlsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IValidateOptions<DicomTlsOptions>, DicomTlsOptionsValidation>();
        services.AddMircDicomPeerTls(configuration);
        services.AddSingleton<ArchiveDicomService>();
        services.AddSingleton<DicomListenerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DicomListenerService>());
        return services;
    }

    /// <summary>
    /// Adds <see cref="DicomPeerTls"/> (section <c>Mirc:Dicom:PeerTls</c>, files checked at start-up): the TLS of the
    /// associations the archive opens. Idempotent; used by the listener (C-MOVE) and by sharing (pushes).
    /// </summary>
    public static IServiceCollection AddMircDicomPeerTls(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(DicomPeerTls))) return services;
        services.AddOptions<DicomPeerTlsOptions>().Bind(configuration.GetSection(DicomPeerTlsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DicomPeerTlsOptions>, DicomPeerTlsOptionsValidation>();
        services.AddSingleton<DicomPeerTls>();
        return services;
    }
}
