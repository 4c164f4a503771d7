namespace Mirc.Grains.Storage.Blobs;

/// <summary>A small blob read whole, with the version tag to pass to a later conditional write.</summary>
/// <param name="Content">The bytes.</param>
/// <param name="ETag">Version tag at the time of the read.</param>
public sealed record BlobContent(ReadOnlyMemory<byte> Content, BlobETag ETag);
