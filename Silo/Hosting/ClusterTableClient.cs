using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Silo.Hosting;

/// <summary>
/// The Azure Table service of the archive's storage account (membership and reminders in <see cref="ClusterMode.AzureStorage"/>):
/// one account for blobs, grain state and the cluster, so a deployment needs Storage and PostgreSQL only.
/// </summary>
internal static class ClusterTableClient
{
    public static TableServiceClient Create(BlobStorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString)) return new TableServiceClient(storage.ConnectionString);
        if (storage.AccountUri is { } blobEndpoint) return new TableServiceClient(TableEndpoint(blobEndpoint), new DefaultAzureCredential());
        throw new OptionsValidationException(MircClusterOptions.Section, typeof(MircClusterOptions),
            ["Mirc:Cluster:Mode AzureStorage keeps membership in the storage account: set Mirc:Storage:ConnectionString or Mirc:Storage:AccountUri"]);
    }

    // https://account.blob.core.windows.net/ → https://account.table.core.windows.net/ (same account, table service).
    private static Uri TableEndpoint(Uri blobEndpoint)
    {
        var host = blobEndpoint.Host;
        var dot = host.IndexOf(".blob.", StringComparison.OrdinalIgnoreCase);
        if (dot < 0)
        {
            throw new OptionsValidationException(MircClusterOptions.Section, typeof(MircClusterOptions),
                [$"Mirc:Storage:AccountUri '{blobEndpoint}' is not a blob endpoint (https://<account>.blob.core.windows.net/): give Mirc:Storage:ConnectionString with a TableEndpoint instead"]);
        }

        return new UriBuilder(blobEndpoint) { Host = string.Concat(host.AsSpan(0, dot), ".table.", host.AsSpan(dot + ".blob.".Length)), Path = "/" }.Uri;
    }
}
