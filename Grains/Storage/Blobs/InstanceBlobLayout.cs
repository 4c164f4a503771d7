using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Where DICOM instances and other archive blobs live in the <see cref="IBlobStore"/>.
/// <para>
/// <b>Instance layout.</b> An instance is stored once, as its Part 10 file, at
/// container <c>{prefix}-instances-{shard}</c> and name <c>{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm</c>,
/// where <c>{prefix}</c> is <see cref="BlobStorageOptions.ContainerPrefix"/> (default <c>mirc</c>) and
/// <c>{shard}</c> = (first 4 bytes of SHA-256(ASCII SOP Instance UID) read big-endian) mod
/// <see cref="BlobStorageOptions.ShardCount"/> (default 16), written in decimal with at least 2 digits
/// (e.g. <c>mirc-instances-07</c>). Hashing the SOP Instance UID spreads one study's instances evenly over all shards
/// (Azure: containers / partitions; filesystem: top-level folders <c>&lt;root&gt;/mirc-instances-07/…</c>), while the
/// name keeps a study's instances listable by prefix inside each shard. The shard count is fixed for the life of an
/// archive: changing it moves every key.
/// </para>
/// <para>
/// <b>Other containers.</b> <c>{prefix}-grainstate</c> holds Orleans grain state (see <c>BlobGrainStorage</c>);
/// <c>{prefix}-staging</c> holds uploads whose final key is not known yet (promote with <see cref="IBlobStore.MoveAsync"/>).
/// </para>
/// UIDs are validated (digits and dots, at most 64 characters), so keys can never escape their container.
/// </summary>
public sealed class InstanceBlobLayout
{
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

    /// <summary>Container of the grain-state blobs.</summary>
    public string GrainStateContainer { get; }

    /// <summary>Container of staged uploads awaiting their final key.</summary>
    public string StagingContainer { get; }

    /// <summary>Shard of an instance: SHA-256 of the SOP Instance UID, first 4 bytes big-endian, mod <see cref="ShardCount"/>.</summary>
    public int GetShard(string sopInstanceUid)
    {
        ValidateUid(sopInstanceUid, nameof(sopInstanceUid));
        Span<byte> ascii = stackalloc byte[64];
        var length = Encoding.ASCII.GetBytes(sopInstanceUid, ascii);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..length], hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)ShardCount);
    }

    /// <summary>Key of an instance's Part 10 blob.</summary>
    public BlobKey GetInstanceKey(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid)
    {
        ValidateUid(studyInstanceUid, nameof(studyInstanceUid));
        ValidateUid(seriesInstanceUid, nameof(seriesInstanceUid));
        var shard = GetShard(sopInstanceUid);
        return new BlobKey(_instanceContainers[shard], $"{studyInstanceUid}/{seriesInstanceUid}/{sopInstanceUid}.dcm");
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
    /// The Study Instance UID in the name of an instance blob (<see cref="GetInstanceKey"/>,
    /// <see cref="GetReplacementKey"/>: <c>{study}/{series}/{file}.dcm</c>), or null for any other name.
    /// </summary>
    public static string? StudyUidOf(string blobName)
    {
        var parts = blobName.Split('/');
        return parts.Length == 3 && IsValidUid(parts[0]) && IsValidUid(parts[1]) && parts[2].EndsWith(".dcm", StringComparison.Ordinal)
            ? parts[0]
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
