using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Hosting;

namespace Mirc.Grains.Research;

/// <summary>Registers research exports: validated options, the vault and the output layout.</summary>
public static class ResearchServiceCollectionExtensions
{
    /// <summary>Adds <see cref="ResearchOptions"/> (<c>Mirc:Research</c>), <see cref="ResearchVault"/> and <see cref="ResearchOutput"/>.</summary>
    public static IServiceCollection AddMircResearch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ResearchOptions>().Bind(configuration.GetSection(ResearchOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResearchOptions>, AnnotatedOptionsValidator<ResearchOptions>>());
        services.TryAddSingleton<ResearchVault>();
        services.TryAddSingleton<ResearchOutput>();
        services.TryAddSingleton<ResearchStowClient>();
        services.TryAddSingleton<ResearchInstanceExporter>();
        return services;
    }
}
