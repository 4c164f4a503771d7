namespace Mirc.Grains.Storage.Blobs;

/// <summary>Which <see cref="IBlobStore"/> implementation is used.</summary>
public enum BlobStorageProvider
{
    /// <summary><see cref="FileSystemBlobStore"/> under <see cref="BlobStorageOptions.RootPath"/>.</summary>
    FileSystem,

    /// <summary><see cref="AzureBlobStore"/> (connection string, or account URI + DefaultAzureCredential).</summary>
    Azure,
}
