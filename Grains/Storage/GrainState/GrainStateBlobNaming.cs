using System.Text;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>
/// Blob name of a grain's state: <c>{stateName}/{grainType}/{grainKey}</c>, each part percent-encoded (UTF-8) except
/// letters, digits, <c>-</c> and <c>_</c>, so any grain key (with <c>/</c>, dots, spaces…) maps to one valid key.
/// </summary>
internal static class GrainStateBlobNaming
{
    /// <summary>
    /// The grain id handed to Orleans' blob provider, which names the blob <c>{state}-{grainType}/{grainKey}.json</c>
    /// with the key as is: a key holding <c>../</c> (a DICOM Patient ID is free text) would leave the container — on
    /// Azurite the write then recursed without end. The key is percent-encoded like ours, dots kept (after the key comes
    /// <c>.json</c>, and no <c>/</c> is left, so no <c>.</c> or <c>..</c> segment can form): UIDs stay readable.
    /// </summary>
    public static GrainId ForOrleansBlobName(GrainId grainId) =>
        GrainId.Create(grainId.Type, Encode(grainId.Key.ToString()!, keepDots: true));

    /// <summary>
    /// Suffix of a record in <see cref="GrainStateRecordFrame"/> form; a record without it is one written before the frame
    /// (read, and moved to the framed name by its next write). Encoded keys hold no dot, so the two names cannot clash.
    /// </summary>
    public const string FramedSuffix = ".rec";

    /// <summary>The record's name before the frame (<see cref="FramedKeyFor"/> since): still read, never written again.</summary>
    public static BlobKey KeyFor(string container, string stateName, GrainId grainId) =>
        new(container, $"{StatePrefix(stateName)}{Encode(grainId.Type.ToString()!)}/{Encode(grainId.Key.ToString()!)}");

    /// <summary>What every record of <paramref name="stateName"/> in our naming starts with (Orleans' names go on with a <c>-</c>).</summary>
    public static string StatePrefix(string stateName) => Encode(stateName) + "/";

    /// <summary>The name of the record in <see cref="GrainStateRecordFrame"/> form.</summary>
    public static BlobKey FramedKeyFor(string container, string stateName, GrainId grainId) =>
        new(container, KeyFor(container, stateName, grainId).Name + FramedSuffix);

    /// <summary>
    /// The name of the record in <see cref="GrainStateRecordFrame"/> form in the fanned-out layout of the embedded default,
    /// <c>{state}/{grainType}/{ff}/{key}.rec</c>: <c>{ff}</c> spreads one state's records over 256 folders, so a region's
    /// millions of studies never fill one ext4 folder (without <c>large_dir</c> its two-level index is full at ~10 – 12
    /// million 16-character names, fewer of these ~90-character ones: further creations fail with ENOSPC).
    /// </summary>
    public static BlobKey FannedOutKeyFor(string container, string stateName, GrainId grainId)
    {
        var key = Encode(grainId.Key.ToString()!);
        return new(container, $"{StatePrefix(stateName)}{Encode(grainId.Type.ToString()!)}/{FolderOf(key)}/{key}{FramedSuffix}");
    }

    /// <summary>
    /// Where a record of the flat layout (<see cref="KeyFor"/> or <see cref="FramedKeyFor"/>: three parts, the last an
    /// encoded key with or without <see cref="FramedSuffix"/>) goes in the fanned-out layout (<see cref="FannedOutKeyFor"/>),
    /// with <paramref name="framed"/> telling which form it holds; null for any other name (Orleans' names, keys, pages).
    /// </summary>
    public static string? FannedOutNameOf(string flatName, out bool framed)
    {
        framed = false;
        var parts = flatName.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return null;
        }

        framed = parts[2].EndsWith(FramedSuffix, StringComparison.Ordinal);
        var key = framed ? parts[2][..^FramedSuffix.Length] : parts[2];
        // Encoded keys hold no dot: any other file (a ".json" or ".xml" of another writer) is not a record.
        return key.Length == 0 || key.Contains('.', StringComparison.Ordinal) ? null : $"{parts[0]}/{parts[1]}/{FolderOf(key)}/{key}{FramedSuffix}";
    }

    /// <summary>
    /// The folder of an encoded key in the fanned-out layout: the low byte of its XxHash3, two hex digits. Fixed for the
    /// life of an archive (a change would hide every record); computed on every grain read and write, so it allocates
    /// nothing for keys up to 256 characters (encoded keys are ASCII; the 256 names are made once).
    /// </summary>
    private static string FolderOf(string encodedKey)
    {
        Span<byte> stack = stackalloc byte[256];
        var ascii = encodedKey.Length <= stack.Length ? stack[..encodedKey.Length] : new byte[encodedKey.Length];
        Encoding.ASCII.GetBytes(encodedKey, ascii);
        return FolderNames[(byte)System.IO.Hashing.XxHash3.HashToUInt64(ascii)];
    }

    private static readonly string[] FolderNames = [.. Enumerable.Range(0, 256).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// The grain key a state blob of <paramref name="stateName"/> holds, under either naming — ours
    /// (<c>{state}/{grainType}/{key}</c>, <see cref="KeyFor"/>, with or without <see cref="FramedSuffix"/>, or fanned out,
    /// <see cref="FannedOutKeyFor"/>) or Orleans' blob provider's
    /// (<c>{state}-{grainType}/{key}.json</c>, <see cref="ForOrleansBlobName"/>) — decoded; null for any other name or an
    /// empty key.
    /// </summary>
    public static string? GrainKeyOf(string blobName, string stateName)
    {
        var state = Encode(stateName);
        string encodedKey;
        if (blobName.StartsWith(state + "/", StringComparison.Ordinal))
        {
            // Flat {state}/{type}/{key}, or fanned out {state}/{type}/{ff}/{key}.rec.
            var parts = blobName.Split('/');
            if (parts.Length is not (3 or 4) || (parts.Length == 4 && parts[2].Length != 2))
            {
                return null;
            }

            var last = parts[^1];
            encodedKey = last.EndsWith(FramedSuffix, StringComparison.Ordinal) ? last[..^FramedSuffix.Length] : last;
        }
        else if (blobName.StartsWith(state + "-", StringComparison.Ordinal) && blobName.EndsWith(".json", StringComparison.Ordinal))
        {
            var slash = blobName.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || blobName.IndexOf('/', slash + 1) >= 0)
            {
                return null;
            }

            encodedKey = blobName[(slash + 1)..^".json".Length];
        }
        else
        {
            return null;
        }

        var key = Uri.UnescapeDataString(encodedKey);
        return string.IsNullOrWhiteSpace(key) || key == "%" ? null : key;
    }

    internal static string Encode(string value, bool keepDots = false)
    {
        if (value.Length == 0)
        {
            return "%";
        }

        // Called on every grain-state read and write: a name that needs no escaping is returned as is.
        var kept = keepDots ? KeptWithDots : Kept;
        if (!value.AsSpan().ContainsAnyExcept(kept))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && kept.Contains((char)rune.Value))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(UpperHex[b >> 4]).Append(UpperHex[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private const string UpperHex = "0123456789ABCDEF";

    // Kept as they are: ASCII letters, digits, '-' and '_' (and '.' in Orleans' blob names); every other byte is escaped.
    private static readonly System.Buffers.SearchValues<char> Kept =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly System.Buffers.SearchValues<char> KeptWithDots =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
}
