using System.Buffers;
using Mirc.Dicom;
using Mirc.Dicom.Imaging;
using Mirc.Dicom.PixelData;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Whether a staged upload holds the instance already stored under its SOP Instance UID: the same data set bytes (file
/// meta aside: <see cref="DatasetDigest"/>), or — a PACS forwarding what a modality sent, an association that negotiated
/// another syntax — the same attribute values in another encoding (<see cref="DicomEncodingEquivalence"/>), pixel data
/// compared as bytes between two native encodings, else frame by frame once decoded. Only the conflict path pays for
/// it; a chunk or one frame of each is held at a time, so a large multi-frame instance is never loaded whole.
/// </summary>
internal static class InstanceEquivalence
{
    private static readonly DicomReadOptions AttributesOnly = new() { SkipPixelData = true };

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> hold the same instance; false when they differ or cannot be compared.</summary>
    public static async Task<bool> SameInstanceAsync(IBlobStore blobs, BlobKey a, BlobKey b, CancellationToken cancellationToken)
    {
        var digestA = DatasetDigest.ComputeAsync(blobs, a, cancellationToken);
        var digestB = DatasetDigest.ComputeAsync(blobs, b, cancellationToken);
        if (string.Equals(await digestA.ConfigureAwait(false), await digestB.ConfigureAwait(false), StringComparison.Ordinal))
        {
            return true;
        }

        var left = await ReadAttributesAsync(blobs, a, cancellationToken).ConfigureAwait(false);
        var right = await ReadAttributesAsync(blobs, b, cancellationToken).ConfigureAwait(false);
        if (left is null || right is null || !DicomEncodingEquivalence.SameAttributes(left.Dataset, right.Dataset))
        {
            return false;
        }

        if (left.PixelData is null || right.PixelData is null)
        {
            return left.PixelData is null && right.PixelData is null;
        }

        // Two native little-endian encodings differ only in how the values are framed (implicit or explicit VR, OB or OW):
        // their pixel data compares as bytes, whatever its layout (YBR_FULL_422, 32 bits, …). Otherwise frame by frame,
        // decoded (big-endian samples swapped by the decoder).
        return IsNativeLittleEndian(left.TransferSyntax) && IsNativeLittleEndian(right.TransferSyntax)
            ? DicomEncodingEquivalence.SamePixelDescription(left.Dataset, right.Dataset)
                && await SameBytesAsync(blobs, (a, left.PixelData), (b, right.PixelData), cancellationToken).ConfigureAwait(false)
            : await SameFramesAsync(blobs, (a, left), (b, right), cancellationToken).ConfigureAwait(false);
    }

    private static bool IsNativeLittleEndian(DicomTransferSyntax syntax) => !syntax.IsEncapsulated && !syntax.IsBigEndian;

    private static async Task<bool> SameBytesAsync(IBlobStore blobs, (BlobKey Key, PixelDataInfo Pixels) a, (BlobKey Key, PixelDataInfo Pixels) b, CancellationToken cancellationToken)
    {
        // The frames' bytes when both hold at least that much (what follows is padding, as in pydicom's MR_small_padded);
        // the whole values when the layout is not one the reader sizes (YBR_FULL_422's subsampled frames, say).
        var framed = (long)a.Pixels.NumberOfFrames * a.Pixels.FrameLength;
        var length = framed > 0 && a.Pixels.ValueLength >= framed && b.Pixels.ValueLength >= framed ? framed
            : a.Pixels.ValueLength == b.Pixels.ValueLength ? a.Pixels.ValueLength : -1;
        if (length < 0)
        {
            return false;
        }

        const int Chunk = 64 * 1024;
        var left = ArrayPool<byte>.Shared.Rent(Chunk);
        var right = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            return await SameRangesAsync(blobs, (a.Key, a.Pixels.ValueOffset), (b.Key, b.Pixels.ValueOffset), length, left, right, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            return false; // a value running past the end of its blob: nothing to show the two are the same
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(left);
            ArrayPool<byte>.Shared.Return(right);
        }
    }

    private static async Task<bool> SameRangesAsync(IBlobStore blobs, (BlobKey Key, long Offset) a, (BlobKey Key, long Offset) b, long length, byte[] left, byte[] right, CancellationToken cancellationToken)
    {
        await using var streamA = await blobs.OpenReadAsync(a.Key, new BlobRange(a.Offset, length), cancellationToken).ConfigureAwait(false);
        await using var streamB = await blobs.OpenReadAsync(b.Key, new BlobRange(b.Offset, length), cancellationToken).ConfigureAwait(false);
        for (var remaining = length; remaining > 0;)
        {
            var count = (int)Math.Min(left.Length, remaining);
            await streamA.ReadExactlyAsync(left.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            await streamB.ReadExactlyAsync(right.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            if (!left.AsSpan(0, count).SequenceEqual(right.AsSpan(0, count)))
            {
                return false;
            }

            remaining -= count;
        }

        return true;
    }

    /// <summary>The data set without its pixel data (values little endian whatever the syntax), or null when it cannot be compared (unreadable, deflated).</summary>
    private static async Task<DicomFile?> ReadAttributesAsync(IBlobStore blobs, BlobKey key, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            var file = await DicomFileReader.ReadAsync(stream, AttributesOnly, cancellationToken).ConfigureAwait(false);
            // A deflated data set's frames have no byte range in the blob.
            return file.PixelData is { IsInflatedOffsets: true } ? null : file;
        }
        catch (Exception ex) when (ex is DicomFormatException or EndOfStreamException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static async Task<bool> SameFramesAsync(IBlobStore blobs, (BlobKey Key, DicomFile File) a, (BlobKey Key, DicomFile File) b, CancellationToken cancellationToken)
    {
        try
        {
            var geometryA = FrameGeometry.From(a.File.Dataset);
            var geometryB = FrameGeometry.From(b.File.Dataset);
            if (geometryA.NumberOfFrames != geometryB.NumberOfFrames)
            {
                return false;
            }

            for (var frame = 0; frame < geometryA.NumberOfFrames; frame++)
            {
                var (samplesA, decodedA) = FrameDecoder.Decode(await ReadFrameAsync(blobs, a.Key, a.File.PixelData!, frame, cancellationToken).ConfigureAwait(false), geometryA, a.File.TransferSyntax);
                var (samplesB, decodedB) = FrameDecoder.Decode(await ReadFrameAsync(blobs, b.Key, b.File.PixelData!, frame, cancellationToken).ConfigureAwait(false), geometryB, b.File.TransferSyntax);
                if (!DicomEncodingEquivalence.SameFrame(samplesA, decodedA, samplesB, decodedB))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is DicomFormatException or NotSupportedException or InvalidOperationException or ArgumentException or EndOfStreamException)
        {
            // A frame that cannot be located or decoded: the two cannot be shown to be the same.
            return false;
        }
    }

    private static async Task<byte[]> ReadFrameAsync(IBlobStore blobs, BlobKey key, PixelDataInfo pixelData, int frame, CancellationToken cancellationToken)
    {
        var ranges = pixelData.GetFrameRange(frame);
        var bytes = new byte[ranges.Sum(r => r.Length)];
        var offset = 0;
        foreach (var range in ranges)
        {
            await using var stream = await blobs.OpenReadAsync(key, new BlobRange(range.Offset, range.Length), cancellationToken).ConfigureAwait(false);
            await stream.ReadExactlyAsync(bytes.AsMemory(offset, (int)range.Length), cancellationToken).ConfigureAwait(false);
            offset += (int)range.Length;
        }

        return bytes;
    }
}
