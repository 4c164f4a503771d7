using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Storage.Replication;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// Grain state in Azure mode (<c>Mirc:Storage:Provider</c> = <c>Azure</c>): Orleans' own blob grain storage
/// (Microsoft.Orleans.Persistence.AzureStorage) on the archive's storage account, in the <c>{prefix}-grainstate</c>
/// container, wrapped by <see cref="MigratingGrainStorage"/> to take over state written by <see cref="BlobGrainStorage"/>.
/// </summary>
public static class AzureGrainStorageSiloBuilderExtensions
{
    /// <summary>Name of the Orleans provider itself; grains use <see cref="StorageProviders.Archive"/>, which wraps it.</summary>
    internal const string OrleansBlobProvider = "archive-orleans-blob";

    /// <summary>
    /// Registers <see cref="StorageProviders.Archive"/> and <see cref="StorageProviders.ArchiveJournaled"/> (the same
    /// provider: Azure has no lazily published write, so the journaled variant is the plain one). Requires
    /// <c>AddBlobStore</c> / <c>AddMircStorage</c>.
    /// </summary>
    public static ISiloBuilder AddAzureArchiveGrainStorage(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAzureBlobGrainStorage(OrleansBlobProvider, options => options.Configure<IServiceProvider>((o, sp) =>
        {
            // One client per account: the instance store's, so both share its connection pool and credential.
            o.BlobServiceClient = FirstSite(sp.GetRequiredService<IBlobStore>()) is AzureBlobStore azure
                ? azure.Service
                : ArchiveStorageAccount.CreateBlobServiceClient(sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value);
            o.ContainerName = sp.GetRequiredService<InstanceBlobLayout>().GrainStateContainer;
            // Orleans' version-tolerant binary format ([GenerateSerializer] ids), not the default JSON with CLR type
            // names, which a renamed or moved type would no longer read.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>());
        }));
        builder.Services.AddKeyedSingleton<IGrainStorage>(StorageProviders.Archive, (sp, key) =>
        {
            var blobs = sp.GetRequiredService<IBlobStore>();
            var layout = sp.GetRequiredService<InstanceBlobLayout>();
            var serializer = sp.GetRequiredService<Serializer>();
            // The former records are on the first site only (the second holds the mirror, in the same layout).
            IGrainStorage storage = new MigratingGrainStorage(
                (string)key!,
                sp.GetRequiredKeyedService<IGrainStorage>(OrleansBlobProvider),
                new BlobGrainStorage("archive-former", FirstSite(blobs), layout, serializer, sp.GetRequiredService<ILogger<BlobGrainStorage>>()),
                serializer,
                sp.GetRequiredService<ILogger<MigratingGrainStorage>>());
            if (blobs is ReplicatedBlobStore sites)
            {
                storage = new ReplicatingGrainStorage(
                    storage,
                    new BlobGrainStorage("archive-mirror", sites.Second, layout, serializer, sp.GetRequiredService<ILogger<BlobGrainStorage>>()),
                    sites,
                    layout.GrainStateContainer,
                    serializer,
                    sp.GetRequiredService<ILogger<ReplicatingGrainStorage>>());
            }

            return storage;
        });
        builder.Services.AddKeyedSingleton<IGrainStorage>(StorageProviders.ArchiveJournaled, (sp, _) => sp.GetRequiredKeyedService<IGrainStorage>(StorageProviders.Archive));
        return builder;
    }

    private static IBlobStore FirstSite(IBlobStore blobs) => blobs is ReplicatedBlobStore sites ? sites.First : blobs;
}
