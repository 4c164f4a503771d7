namespace Mirc.Api.Management.Patients;

/// <summary>Body of the manual identity operations <c>POST /api/patients/{id}/links</c> and <c>/unlink</c>.</summary>
/// <param name="EstablishmentId">Establishment that assigned the local id (IPP).</param>
/// <param name="Issuer">Issuer of Patient ID (0010,0021); empty when none.</param>
/// <param name="LocalPatientId">The establishment's Patient ID (0010,0020).</param>
/// <param name="Reason">Why the operator links or unlinks (kept in the patient's history; required).</param>
public sealed record IdentityLinkRequest(string? EstablishmentId, string? Issuer, string? LocalPatientId, string? Reason)
{
    /// <summary>Field problems, none when valid.</summary>
    public FieldErrors Validate() => new FieldErrors()
        .Check(Identifiers.IsValidKey(EstablishmentId), nameof(EstablishmentId), "Required: 1 to 64 letters, digits, '.', '_' or '-'.")
        .Check(Issuer is null || Identifiers.IsValidShortText(Issuer), nameof(Issuer), "At most 64 characters, no backslash.")
        .Check(!string.IsNullOrWhiteSpace(LocalPatientId) && Identifiers.IsValidShortText(LocalPatientId), nameof(LocalPatientId), "Required: at most 64 characters, no backslash.")
        .Check(!string.IsNullOrWhiteSpace(Reason) && Reason.Length <= 1024, nameof(Reason), "Required: why the identities are linked or unlinked (at most 1024 characters).");
}
