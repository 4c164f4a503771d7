using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Ingest;

/// <summary>
/// Checks a parsed header against the mandatory attributes and the request (C-STORE affected UIDs, STOW study), and
/// against the bytes received (a file cut short).
/// </summary>
internal static class IngestValidation
{
    /// <summary>The failure outcome, or null when the instance may be stored (<paramref name="storedLength"/>: bytes received).</summary>
    public static IngestOutcome? Validate(InstanceHeader header, IngestRequest request, long storedLength)
    {
        IngestOutcome Fail(IngestStatus status, string detail) =>
            IngestOutcome.Failure(status, detail, header.SopClassUid ?? request.AffectedSopClassUid, header.SopInstanceUid ?? request.AffectedSopInstanceUid, header.StudyInstanceUid);

        if (string.IsNullOrEmpty(header.TransferSyntaxUid))
        {
            return Fail(IngestStatus.CannotUnderstand, "No Transfer Syntax UID (0002,0010).");
        }

        // The header is parsed up to the pixel data, not through it: a file cut inside its pixel data would otherwise be
        // stored, acknowledged and served short.
        if (header.Frames is { PixelDataOffset: >= 0, PixelDataLength: >= 0 } pixels && pixels.PixelDataOffset + pixels.PixelDataLength > storedLength)
        {
            return Fail(IngestStatus.CannotUnderstand,
                $"Pixel Data (7FE0,0010) declares {pixels.PixelDataLength} bytes but the data set ends {Math.Max(0, storedLength - pixels.PixelDataOffset)} bytes into it: the file is truncated.");
        }

        if (!InstanceBlobLayout.IsValidUid(header.SopClassUid))
        {
            return Fail(IngestStatus.DataSetMismatch, "Missing or invalid SOP Class UID (0008,0016).");
        }

        if (!InstanceBlobLayout.IsValidUid(header.SopInstanceUid))
        {
            return Fail(IngestStatus.DataSetMismatch, "Missing or invalid SOP Instance UID (0008,0018).");
        }

        if (!InstanceBlobLayout.IsValidUid(header.StudyInstanceUid))
        {
            return Fail(IngestStatus.DataSetMismatch, "Missing or invalid Study Instance UID (0020,000D).");
        }

        if (!InstanceBlobLayout.IsValidUid(header.SeriesInstanceUid))
        {
            return Fail(IngestStatus.DataSetMismatch, "Missing or invalid Series Instance UID (0020,000E).");
        }

        if (request.AffectedSopInstanceUid is { Length: > 0 } sop && sop != header.SopInstanceUid)
        {
            return Fail(IngestStatus.DataSetMismatch, $"SOP Instance UID {header.SopInstanceUid} differs from the affected SOP Instance UID {sop}.");
        }

        if (request.AffectedSopClassUid is { Length: > 0 } cls && cls != header.SopClassUid)
        {
            return Fail(IngestStatus.DataSetMismatch, $"SOP Class UID {header.SopClassUid} differs from the affected SOP Class UID {cls}.");
        }

        if (request.ExpectedStudyInstanceUid is { Length: > 0 } study && study != header.StudyInstanceUid)
        {
            return Fail(IngestStatus.StudyMismatch, $"Instance belongs to study {header.StudyInstanceUid}, not {study}.");
        }

        return null;
    }

    /// <summary>
    /// Whether the file must be parsed to its end before it is stored: the header read stops at the Pixel Data, whose
    /// declared length <see cref="Validate"/> checks against the bytes received — unless elements follow it (trailing
    /// padding, signatures) or its place is unknown (a deflated data set, fragments not mapped to frames): those rare
    /// files are read again, the pixel data skipped, or one cut inside them would be stored short.
    /// </summary>
    public static bool NeedsWholeParse(FrameLayout frames, long storedLength) => frames.FrameCount > 0
        && (frames.PixelDataOffset < 0 || (frames.PixelDataLength >= 0 && frames.PixelDataOffset + frames.PixelDataLength < storedLength));
}
