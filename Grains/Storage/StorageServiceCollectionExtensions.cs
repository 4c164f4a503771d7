using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Indexing;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage;

/// <summary>Registers the archive's storage: blob store, instance layout and query index.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary><see cref="AddBlobStore"/> + <see cref="QueryIndexServiceCollectionExtensions.AddQueryIndex"/>.</summary>
    public static IServiceCollection AddMircStorage(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBlobStore(configuration).AddQueryIndex(configuration);

    /// <summary>
    /// Binds <see cref="BlobStorageOptions"/> from <c>Mirc:Storage</c> (RootPath defaults to <c>&lt;Mirc:DataPath&gt;/blobs</c>),
    /// validates them at start-up, registers the singleton <see cref="IBlobStore"/> and <see cref="InstanceBlobLayout"/>.
    /// </summary>
    public static IServiceCollection AddBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        var dataPath = configuration["Mirc:DataPath"] ?? "./data";
        services.AddOptions<BlobStorageOptions>()
            .Bind(configuration.GetSection(BlobStorageOptions.Section))
            .PostConfigure(o => o.RootPath ??= Path.Combine(dataPath, "blobs"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>());
        services.TryAddSingleton<InstanceBlobLayout>();
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
            return o.Provider switch
            {
                BlobStorageProvider.Azure => new AzureBlobStore(ArchiveStorageAccount.CreateBlobServiceClient(o), o.AzureUploadConcurrency),
                _ => new FileSystemBlobStore(o.RootPath!, o.FileSystemDurability, o.DirectWrites),
            };
        });
        return services;
    }
}
