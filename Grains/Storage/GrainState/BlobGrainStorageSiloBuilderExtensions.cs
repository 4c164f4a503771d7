using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Mirc.Grains.Storage.Blobs;
using Orleans.Providers;
using Orleans.Storage;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>Registers <see cref="BlobGrainStorage"/> on a silo (requires <c>AddBlobStore</c> / <c>AddMircStorage</c>).</summary>
public static class BlobGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds the blob grain storage under <paramref name="name"/> (grains use <see cref="StorageProviders.Archive"/>);
    /// <paramref name="publishLazily"/> for <see cref="StorageProviders.ArchiveJournaled"/>. Records in the fanned-out
    /// layout (<see cref="GrainStateRecordNames.FannedOut"/>), a folder of the flat one upgraded as the silo starts
    /// (<see cref="GrainStateFolderUpgrade"/>).
    /// </summary>
    public static ISiloBuilder AddBlobGrainStorage(this ISiloBuilder builder, string name = StorageProviders.Archive, bool publishLazily = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new BlobGrainStorage(
            (string)key!,
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<InstanceBlobLayout>(),
            sp.GetRequiredService<Orleans.Serialization.Serializer>(),
            sp.GetRequiredService<ILogger<BlobGrainStorage>>(),
            publishLazily,
            GrainStateRecordNames.FannedOut));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, GrainStateFolderUpgrade>());
        return builder;
    }

    /// <summary>Adds the blob grain storage as the default provider and under <see cref="StorageProviders.Archive"/>.</summary>
    public static ISiloBuilder AddBlobGrainStorageAsDefault(this ISiloBuilder builder)
    {
        builder.AddBlobGrainStorage(StorageProviders.Archive);
        builder.AddBlobGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
        return builder;
    }
}
