using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.GrainState;

/// <summary>Which record a grain's ETag names: kind prefix, then the blob's ETag.</summary>
internal enum GrainStateRecordKind
{
    /// <summary>No record seen.</summary>
    None,

    /// <summary><c>f:</c> the framed record.</summary>
    Framed,

    /// <summary><c>l:</c> a record of the former form (no framed one).</summary>
    Former,

    /// <summary><c>t:</c> a torn framed record, replaced by the next write; the state came from the former record or is empty.</summary>
    Torn,
}

/// <summary>The grain-state ETag of <see cref="BlobGrainStorage"/>: a <see cref="GrainStateRecordKind"/> and the blob version.</summary>
internal readonly record struct GrainStateRecordVersion(GrainStateRecordKind Kind, BlobETag? ETag)
{
    public static string Framed(BlobETag etag) => "f:" + etag.Value;

    public static string Former(BlobETag etag) => "l:" + etag.Value;

    public static string Torn(BlobETag etag) => "t:" + etag.Value;

    public static GrainStateRecordVersion Parse(string? value) => value switch
    {
        null => default,
        ['f', ':', ..] => new(GrainStateRecordKind.Framed, new BlobETag(value[2..])),
        ['l', ':', ..] => new(GrainStateRecordKind.Former, new BlobETag(value[2..])),
        ['t', ':', ..] => new(GrainStateRecordKind.Torn, new BlobETag(value[2..])),
        // Only this provider hands out ETags; anything else can match no stored version.
        _ => new(GrainStateRecordKind.Framed, new BlobETag(value)),
    };
}

