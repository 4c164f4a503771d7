using Azure.Core;
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
        return CreateBlobServiceClient(options.ConnectionString, options.AccountUri, null);
    }

    /// <summary>A blob service client of an account, with <paramref name="clientOptions"/> when given.</summary>
    public static BlobServiceClient CreateBlobServiceClient(string? connectionString, Uri? accountUri, BlobClientOptions? clientOptions) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? new BlobServiceClient(accountUri, new DefaultAzureCredential(), clientOptions)
            : new BlobServiceClient(connectionString, clientOptions);

    /// <summary>
    /// Client options for a site of a two-site archive: few, short retries, so a site that does not answer is given
    /// up on in about a second and its reads go to the other site, instead of the SDK's default of several seconds.
    /// </summary>
    public static BlobClientOptions FailFast()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}
