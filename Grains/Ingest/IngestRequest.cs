namespace Mirc.Grains.Ingest;

/// <summary>Everything the ingest pipeline needs besides the bytes.</summary>
public sealed record IngestRequest
{
    /// <summary>Who is storing.</summary>
    public required IngestCaller Caller { get; init; }

    /// <summary>Form of the stream.</summary>
    public IngestPayload Payload { get; init; } = IngestPayload.Part10File;

    /// <summary>Transfer syntax of a bare dataset (required with <see cref="IngestPayload.Dataset"/>; ignored for Part 10 files).</summary>
    public string? TransferSyntaxUid { get; init; }

    /// <summary>Affected SOP Class UID of the C-STORE request; when set, the dataset must match it (else A900).</summary>
    public string? AffectedSopClassUid { get; init; }

    /// <summary>Affected SOP Instance UID of the C-STORE request; when set, the dataset must match it (else A900).</summary>
    public string? AffectedSopInstanceUid { get; init; }

    /// <summary>STOW-RS <c>/studies/{study}</c>: the instance must belong to this study (else rejected, 0xA900 reason).</summary>
    public string? ExpectedStudyInstanceUid { get; init; }

    /// <summary>Length of the stream when known (Content-Length, PDV totals): lets the store pre-size; optional.</summary>
    public long? LengthHint { get; init; }
}
