using Mirc.Testing;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

/// <summary>The blob contract on Azure Blob Storage, emulated by Azurite.</summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly AzureBlobStore _store = new(azurite.CreateServiceClient(), uploadConcurrency: 3);

    protected override IBlobStore Store => _store;
}
