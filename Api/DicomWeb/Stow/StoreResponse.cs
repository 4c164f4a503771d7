using Microsoft.AspNetCore.Http;

namespace Mirc.Api.DicomWeb.Stow;

/// <summary>An instance the STOW-RS request stored durably.</summary>
/// <param name="SopClassUid">Referenced SOP Class UID.</param>
/// <param name="SopInstanceUid">Referenced SOP Instance UID.</param>
/// <param name="RetrieveUrl">WADO-RS URL of the instance.</param>
/// <param name="WarningReason">Warning Reason (0008,1196), when stored with a warning.</param>
public sealed record StoredInstance(string SopClassUid, string SopInstanceUid, string RetrieveUrl, ushort? WarningReason = null);

/// <summary>A part the request could not store.</summary>
/// <param name="SopClassUid">SOP Class UID when it could be read, else null.</param>
/// <param name="SopInstanceUid">SOP Instance UID when it could be read, else null.</param>
/// <param name="FailureReason">Failure Reason (0008,1197).</param>
/// <param name="Detail">Human-readable explanation (logged, and returned as a response Warning header).</param>
public sealed record FailedInstance(string? SopClassUid, string? SopInstanceUid, ushort FailureReason, string Detail);

/// <summary>The outcome of one STOW-RS request (PS3.18 §10.5.3), turned into a status code and a DICOM JSON body.</summary>
public sealed class StoreResponse
{
    /// <summary>WADO-RS URL of the study, when all instances belong to one study.</summary>
    public string? StudyRetrieveUrl { get; set; }

    /// <summary>Instances stored durably.</summary>
    public List<StoredInstance> Stored { get; } = [];

    /// <summary>Parts that failed.</summary>
    public List<FailedInstance> Failed { get; } = [];

    /// <summary>200 all stored, 202 some failed or stored with warnings, 409 all failed.</summary>
    public int StatusCode =>
        Failed.Count == 0
            ? Stored.Exists(s => s.WarningReason is not null) ? StatusCodes.Status202Accepted : StatusCodes.Status200OK
            : Stored.Count == 0 ? StatusCodes.Status409Conflict : StatusCodes.Status202Accepted;
}
