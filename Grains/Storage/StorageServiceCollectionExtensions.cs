using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mirc.Grains.Indexing;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Hosting;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;

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
        services.AddOptions<ReplicationOptions>()
            .Bind(configuration.GetSection(ReplicationOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReplicationOptions>, AnnotatedOptionsValidator<ReplicationOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReplicationOptions>, ReplicationOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ReplicationOptions>>().Value);
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
            var replication = sp.GetRequiredService<ReplicationOptions>();
            if (!replication.Enabled)
            {
                return CreateSite(o, o.ConnectionString, o.AccountUri, o.RootPath!, null);
            }

            // Both sites fail fast: a site that does not answer is skipped and the other serves.
            var first = CreateSite(o, o.ConnectionString, o.AccountUri, o.RootPath!, ArchiveStorageAccount.FailFast());
            var second = CreateSite(o, replication.SecondSiteConnectionString, replication.SecondSiteAccountUri, replication.SecondSitePath!, ArchiveStorageAccount.FailFast());
            var clock = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return new ReplicatedBlobStore(
                first,
                second,
                sp.GetRequiredService<InstanceBlobLayout>().StagingContainer,
                replication,
                new ReplicaBacklog(clock, replication.MaxBacklog),
                clock,
                sp.GetRequiredService<ILogger<ReplicatedBlobStore>>());
        });
        return services;
    }

    private static IBlobStore CreateSite(BlobStorageOptions o, string? connectionString, Uri? accountUri, string rootPath, Azure.Storage.Blobs.BlobClientOptions? clientOptions) =>
        o.Provider switch
        {
            BlobStorageProvider.Azure => new AzureBlobStore(ArchiveStorageAccount.CreateBlobServiceClient(connectionString, accountUri, clientOptions), o.AzureUploadConcurrency),
            _ => new FileSystemBlobStore(rootPath, o.FileSystemDurability, o.DirectWrites),
        };
}
