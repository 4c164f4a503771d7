namespace Mirc.Grains.Storage.Blobs;

/// <summary>Metadata of an existing blob.</summary>
/// <param name="Key">Where the blob is.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="ETag">Current version tag.</param>
/// <param name="LastModified">Last write time (UTC).</param>
public sealed record BlobProperties(BlobKey Key, long Length, BlobETag ETag, DateTimeOffset LastModified);
