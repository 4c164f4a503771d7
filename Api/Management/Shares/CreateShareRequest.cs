using Mirc.Api.DicomWeb;

namespace Mirc.Api.Management.Shares;

/// <summary>Body of <c>POST /api/shares</c>: push a study to a named recipient AE.</summary>
/// <param name="StudyInstanceUid">Study to push.</param>
/// <param name="RecipientAeTitle">Registered AE title allowed as a destination (MoveDestination permission).</param>
/// <param name="Reason">Why (recorded in the audit trail).</param>
public sealed record CreateShareRequest(string? StudyInstanceUid, string? RecipientAeTitle, string? Reason)
{
    /// <summary>Longest reason accepted.</summary>
    public const int MaxReasonLength = 256;

    /// <summary>Syntax checks, one message per invalid field.</summary>
    public FieldErrors Validate() => new FieldErrors()
        .Check(Uids.IsValid(StudyInstanceUid), "studyInstanceUid", "A Study Instance UID (digits and dots, at most 64 characters) is required.")
        .Check(Identifiers.IsValidAeTitle(RecipientAeTitle), "recipientAeTitle", "An AE title (1–16 characters, no backslash) is required.")
        .Check(!string.IsNullOrWhiteSpace(Reason) && Reason.Length <= MaxReasonLength && !Reason.Any(char.IsControl), "reason",
            $"A reason (1–{MaxReasonLength} characters, no control character) is required.");
}
