using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Where DICOM instances and other archive blobs live in the <see cref="IBlobStore"/>.
/// <para>
/// <b>Instance layout.</b> An instance is stored once, as its Part 10 file, at
/// container <c>{prefix}-instances-{shard}</c> and name <c>{folder}/{StudyInstanceUID}_{SOPInstanceUID}.dcm</c>,
/// where <c>{prefix}</c> is <see cref="BlobStorageOptions.ContainerPrefix"/> (default <c>mirc</c>),
/// <c>{shard}</c> = (first 4 bytes of SHA-256(ASCII SOP Instance UID) read big-endian) mod
/// <see cref="BlobStorageOptions.ShardCount"/> (default 16), written in decimal with at least 2 digits
/// (e.g. <c>mirc-instances-07</c>), and <c>{folder}</c> = the hash's fifth byte in two hex digits (256 per shard).
/// Hashing the SOP Instance UID spreads one study's instances evenly over all shards (Azure: containers / partitions;
/// filesystem: top-level folders <c>&lt;root&gt;/mirc-instances-07/…</c>) and folders, a fixed set created once: a new
/// study or series creates no folder (the former layout's folder per study and per series cost a new study two
/// <c>mkdir</c>, two inodes and two 4 KB directory blocks — as much disk as a small radiograph's own file), and a folder
/// holds 1/256 of its shard. The name keeps the study (the orphan sweep and the reconciliation read it, <see cref="StudyUidOf"/>).
/// Instances stored before this layout keep the names they were recorded with in their manifests,
/// <c>{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm</c>, read as they are. The shard count is fixed for
/// the life of an archive: changing it moves every key.
/// </para>
/// <para>
/// <b>Other containers.</b> <c>{prefix}-grainstate</c> holds Orleans grain state (see <c>BlobGrainStorage</c>);
/// <c>{prefix}-staging</c> holds uploads whose final key is not known yet (promote with <see cref="IBlobStore.MoveAsync"/>).
/// </para>
/// UIDs are validated (digits and dots, at most 64 characters), so keys can never escape their container.
/// </summary>
public sealed class InstanceBlobLayout
{
    // Between the study and the file in an instance's name: UIDs are digits and dots only.
    private const char StudySeparator = '_';
    private readonly string[] _instanceContainers;

    /// <summary>Creates the layout from validated options.</summary>
    public InstanceBlobLayout(IOptions<BlobStorageOptions> options)
        : this(options.Value.ContainerPrefix, options.Value.ShardCount)
    {
    }

    /// <summary>Creates the layout.</summary>
    /// <param name="containerPrefix">Container name prefix, e.g. <c>mirc</c>.</param>
    /// <param name="shardCount">Number of instance shards (1–1024).</param>
    public InstanceBlobLayout(string containerPrefix, int shardCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, 1024);
        ShardCount = shardCount;
        var digits = Math.Max(2, (shardCount - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        _instanceContainers = new string[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            _instanceContainers[i] = $"{containerPrefix}-instances-{i.ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)}";
        }

        GrainStateContainer = $"{containerPrefix}-grainstate";
        StagingContainer = $"{containerPrefix}-staging";
    }

    /// <summary>Number of instance shards.</summary>
    public int ShardCount { get; }

    /// <summary>All instance containers, index = shard.</summary>
    public IReadOnlyList<string> InstanceContainers => _instanceContainers;

    /// <summary>The folders of every instance container (<c>00</c> – <c>ff</c>), a fixed set.</summary>
    public static IReadOnlyList<string> InstanceFolders { get; } = [.. Enumerable.Range(0, 256).Select(i => i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Container of the grain-state blobs.</summary>
    public string GrainStateContainer { get; }

    /// <summary>Container of staged uploads awaiting their final key.</summary>
    public string StagingContainer { get; }

    /// <summary>Shard of an instance: SHA-256 of the SOP Instance UID, first 4 bytes big-endian, mod <see cref="ShardCount"/>.</summary>
    public int GetShard(string sopInstanceUid) => Place(sopInstanceUid).Shard;

    /// <summary>Key of an instance's Part 10 blob (the series is validated: it belongs to the instance's identity, not its name).</summary>
    public BlobKey GetInstanceKey(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid)
    {
        ValidateUid(studyInstanceUid, nameof(studyInstanceUid));
        ValidateUid(seriesInstanceUid, nameof(seriesInstanceUid));
        var (shard, folder) = Place(sopInstanceUid);
        return new BlobKey(_instanceContainers[shard], $"{InstanceFolders[folder]}/{studyInstanceUid}{StudySeparator}{sopInstanceUid}.dcm");
    }

    // SHA-256 of the SOP Instance UID: the first 4 bytes (big-endian) mod the shard count choose the shard, the fifth the folder.
    private (int Shard, byte Folder) Place(string sopInstanceUid)
    {
        ValidateUid(sopInstanceUid, nameof(sopInstanceUid));
        Span<byte> ascii = stackalloc byte[64];
        var length = Encoding.ASCII.GetBytes(sopInstanceUid, ascii);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..length], hash);
        return ((int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)ShardCount), hash[4]);
    }

    /// <summary>
    /// Key of a data set that replaces the one stored under the same UIDs (duplicate policy Replace): beside it, named by
    /// the first 16 hex digits of its <see cref="ContentDigest"/> (<c>{SOPInstanceUID}.{hex}.dcm</c>), so the stored object is never
    /// overwritten before the manifest points at the new one.
    /// </summary>
    public BlobKey GetReplacementKey(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid, string digest)
    {
        var key = GetInstanceKey(studyInstanceUid, seriesInstanceUid, sopInstanceUid);
        return key with { Name = $"{key.Name[..^4]}.{ContentDigest.HexPrefix(digest, 16)}.dcm" };
    }

    /// <summary>
    /// The Study Instance UID in the name of an instance blob (<see cref="GetInstanceKey"/>, <see cref="GetReplacementKey"/>:
    /// <c>{folder}/{study}_{file}.dcm</c>; or, stored before that layout, <c>{study}/{series}/{file}.dcm</c>), or null for
    /// any other name.
    /// </summary>
    public static string? StudyUidOf(string blobName)
    {
        var parts = blobName.Split('/');
        if (parts.Length == 3)
        {
            return IsValidUid(parts[0]) && IsValidUid(parts[1]) && parts[2].EndsWith(".dcm", StringComparison.Ordinal) ? parts[0] : null;
        }

        var separator = parts.Length == 2 ? parts[1].IndexOf(StudySeparator, StringComparison.Ordinal) : -1;
        return separator > 0 && parts[0].Length == 2 && parts[0].All(char.IsAsciiHexDigitLower) && parts[1].EndsWith(".dcm", StringComparison.Ordinal)
            && IsValidUid(parts[1][..separator])
            ? parts[1][..separator]
            : null;
    }

    /// <summary>A fresh unique key in the staging container (for uploads whose UIDs are not parsed yet).</summary>
    public BlobKey NewStagingKey() => new(StagingContainer, $"{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Whether <paramref name="name"/> (in the staging container) is an upload of <see cref="NewStagingKey"/>, not a
    /// journal slot or an undo record (those live under their own prefixes).
    /// </summary>
    public static bool IsStagedUpload(string name) =>
        !name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="uid"/> is a syntactically valid DICOM UID (digits and dots, 1–64 chars).</summary>
    public static bool IsValidUid(string? uid)
    {
        if (string.IsNullOrEmpty(uid) || uid.Length > 64 || uid[0] == '.' || uid[^1] == '.')
        {
            return false;
        }

        foreach (var c in uid)
        {
            if (c is not ((>= '0' and <= '9') or '.'))
            {
                return false;
            }
        }

        return !uid.Contains("..", StringComparison.Ordinal);
    }

    private static void ValidateUid(string uid, string parameter)
    {
        if (!IsValidUid(uid))
        {
            throw new ArgumentException($"'{uid}' is not a valid DICOM UID.", parameter);
        }
    }
}
