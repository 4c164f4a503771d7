using Azure.Identity;
using Azure.Storage.Blobs;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// The archive's storage account in Azure mode, one way for every client of it (instance blobs, grain state): the
/// connection string when given (Azurite, account key), otherwise the account URI with the ambient Azure identity.
/// </summary>
public static class ArchiveStorageAccount
{
    /// <summary>A blob service client of the account named by <paramref name="options"/>.</summary>
    public static BlobServiceClient CreateBlobServiceClient(BlobStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.AccountUri, new DefaultAzureCredential())
            : new BlobServiceClient(options.ConnectionString);
    }
}
