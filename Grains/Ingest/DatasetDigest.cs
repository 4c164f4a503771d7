using System.Buffers.Binary;
using System.Security.Cryptography;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// SHA-256 of a stored Part 10 instance without its preamble and File Meta Information group (0002,xxxx): the data
/// set as the sender encoded it, minus what depends on the sender (Source AE Title, Implementation Class UID/Version,
/// preamble). Two stores of the same data set by different senders or transports agree on it. Computed only when
/// the whole-file hashes differ (rare), so the hot path keeps one hash per instance.
/// </summary>
internal static class DatasetDigest
{
    private const int PreambleAndMagic = 132;

    public static async Task<string> ComputeAsync(IBlobStore blobs, BlobKey key, CancellationToken cancellationToken)
    {
        var start = await DatasetOffsetAsync(blobs, key, cancellationToken).ConfigureAwait(false);
        await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        await SkipAsync(stream, start, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Offset of the first element after the File Meta group (0 for a stream without the DICM prefix).</summary>
    private static async Task<long> DatasetOffsetAsync(IBlobStore blobs, BlobKey key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, null, cancellationToken).ConfigureAwait(false);
        var head = new byte[PreambleAndMagic];
        if (await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < head.Length
            || !head.AsSpan(128, 4).SequenceEqual("DICM"u8))
        {
            return 0;
        }

        // File Meta elements are always Explicit VR Little Endian (PS3.10 7.1).
        long offset = PreambleAndMagic;
        var header = new byte[12];
        while (true)
        {
            if (await stream.ReadAtLeastAsync(header.AsMemory(0, 8), 8, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < 8
                || BinaryPrimitives.ReadUInt16LittleEndian(header) != 0x0002)
            {
                return offset;
            }

            long length;
            var headerLength = 8;
            if (HasLongLength(header[4], header[5]))
            {
                await stream.ReadExactlyAsync(header.AsMemory(8, 4), cancellationToken).ConfigureAwait(false);
                length = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
                headerLength = 12;
            }
            else
            {
                length = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            }

            await SkipAsync(stream, length, cancellationToken).ConfigureAwait(false);
            offset += headerLength + length;
        }
    }

    private static bool HasLongLength(byte a, byte b) => (char)a switch
    {
        'O' => b is (byte)'B' or (byte)'W' or (byte)'F' or (byte)'D' or (byte)'L' or (byte)'V',
        'S' => b is (byte)'Q' or (byte)'V',
        'U' => b is (byte)'T' or (byte)'N' or (byte)'C' or (byte)'R' or (byte)'V',
        _ => false,
    };

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(count, 8192)];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            count -= read;
        }
    }
}
