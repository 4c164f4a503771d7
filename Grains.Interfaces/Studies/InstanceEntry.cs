namespace Mirc.Grains.Interfaces.Studies;

/// <summary>
/// One stored instance as recorded in the study manifest: everything needed to find, serve and verify it
/// without parsing the blob again. Also the descriptor handed out by retrieval.
/// </summary>
[GenerateSerializer, Immutable, Alias("mirc.InstanceEntry")]
public sealed record InstanceEntry
{
    /// <summary>Study Instance UID (0020,000D).</summary>
    [Id(0)] public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID (0020,000E).</summary>
    [Id(1)] public required string SeriesInstanceUid { get; init; }

    /// <summary>SOP Instance UID (0008,0018).</summary>
    [Id(2)] public required string SopInstanceUid { get; init; }

    /// <summary>SOP Class UID (0008,0016).</summary>
    [Id(3)] public required string SopClassUid { get; init; }

    /// <summary>Transfer syntax of the stored dataset (File Meta (0002,0010)).</summary>
    [Id(4)] public required string TransferSyntaxUid { get; init; }

    /// <summary>Blob container of the stored Part 10 file.</summary>
    [Id(5)] public required string BlobContainer { get; init; }

    /// <summary>Blob name of the stored Part 10 file.</summary>
    [Id(6)] public required string BlobName { get; init; }

    /// <summary>Size of the stored Part 10 file in bytes.</summary>
    [Id(7)] public long Size { get; init; }

    /// <summary>Digest of the stored Part 10 file: <c>xxh128:</c> + 32 hex digits, or 64 hex digits alone (SHA-256, entries stored before 2026-12-03).</summary>
    [Id(8)] public required string Digest { get; init; }

    /// <summary>Instance Number (0020,0013), when present; orders retrieval inside a series.</summary>
    [Id(9)] public int? InstanceNumber { get; init; }

    /// <summary>Frame byte ranges inside the blob.</summary>
    [Id(10)] public FrameLayout Frames { get; init; } = FrameLayout.None;

    /// <summary>When the archive acknowledged the instance (UTC).</summary>
    [Id(11)] public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Establishment that sent the instance.</summary>
    [Id(12)] public required string EstablishmentId { get; init; }

    /// <summary>Number of frames (shortcut of <see cref="FrameLayout.FrameCount"/>).</summary>
    public int FrameCount => Frames.FrameCount;
}
