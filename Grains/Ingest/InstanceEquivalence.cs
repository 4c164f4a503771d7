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
/// it; a chunk or one frame of each is held at a time, so a large multi-frame instance is never loaded whole — except a
/// deflated copy (a PACS sending over a slow link), whose frames have no byte range in its file: it is inflated whole,
/// up to <see cref="MaxInflatedPixelData"/> of pixel data (beyond, the two cannot be shown to be the same).
/// </summary>
internal static class InstanceEquivalence
{
    /// <summary>Most pixel data a deflated copy may hold to be inflated and compared.</summary>
    internal const long MaxInflatedPixelData = 64 * 1024 * 1024;

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
        if (IsNativeLittleEndian(left.TransferSyntax) && IsNativeLittleEndian(right.TransferSyntax))
        {
            return DicomEncodingEquivalence.SamePixelDescription(left.Dataset, right.Dataset)
                && await SameBytesAsync(blobs, (a, left.PixelData), (b, right.PixelData), cancellationToken).ConfigureAwait(false);
        }

        var framesA = await FramesAsync(blobs, a, left, cancellationToken).ConfigureAwait(false);
        var framesB = await FramesAsync(blobs, b, right, cancellationToken).ConfigureAwait(false);
        return framesA is not null && framesB is not null && await SameFramesAsync(left, framesA, right, framesB).ConfigureAwait(false);
    }

    // Deflated data sets are native little endian inside, but their values have no byte range in the file.
    private static bool IsNativeLittleEndian(DicomTransferSyntax syntax) => !syntax.IsEncapsulated && !syntax.IsBigEndian && !syntax.IsDeflated;

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

    /// <summary>The data set without its pixel data (values little endian whatever the syntax), or null when it cannot be read.</summary>
    private static async Task<DicomFile?> ReadAttributesAsync(IBlobStore blobs, BlobKey key, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            return await DicomFileReader.ReadAsync(stream, AttributesOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomFormatException or EndOfStreamException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Decodes one frame (zero-based) of a copy: read by its byte ranges, or — deflated — from the copy inflated whole;
    /// null when a deflated copy holds more pixel data than <see cref="MaxInflatedPixelData"/> or cannot be read.
    /// </summary>
    private static async Task<Func<int, Task<(byte[] Samples, FrameGeometry Geometry)>>?> FramesAsync(
        IBlobStore blobs, BlobKey key, DicomFile attributes, CancellationToken cancellationToken)
    {
        if (!attributes.PixelData!.IsInflatedOffsets)
        {
            return async frame => FrameDecoder.Decode(
                await ReadFrameAsync(blobs, key, attributes.PixelData, frame, cancellationToken).ConfigureAwait(false), FrameGeometry.From(attributes.Dataset), attributes.TransferSyntax);
        }

        if (attributes.PixelData.ValueLength is < 0 or > MaxInflatedPixelData)
        {
            return null;
        }

        try
        {
            await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
            var whole = await DicomFileReader.ReadAsync(stream, DicomReadOptions.Default, cancellationToken).ConfigureAwait(false);
            return frame => Task.FromResult(FrameDecoder.Decode(whole.Dataset, whole.TransferSyntax, frame));
        }
        catch (Exception ex) when (ex is DicomFormatException or EndOfStreamException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static async Task<bool> SameFramesAsync(
        DicomFile a, Func<int, Task<(byte[] Samples, FrameGeometry Geometry)>> framesA, DicomFile b, Func<int, Task<(byte[] Samples, FrameGeometry Geometry)>> framesB)
    {
        try
        {
            var frames = FrameGeometry.From(a.Dataset).NumberOfFrames;
            if (frames != FrameGeometry.From(b.Dataset).NumberOfFrames)
            {
                return false;
            }

            for (var frame = 0; frame < frames; frame++)
            {
                var (samplesA, decodedA) = await framesA(frame).ConfigureAwait(false);
                var (samplesB, decodedB) = await framesB(frame).ConfigureAwait(false);
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
