namespace Mirc.Grains.Storage.Blobs;

/// <summary>A byte range of a blob (used to read single frames).</summary>
/// <param name="Offset">First byte, 0-based.</param>
/// <param name="Length">Number of bytes; <c>null</c> = to the end of the blob.</param>
public readonly record struct BlobRange(long Offset, long? Length = null);
