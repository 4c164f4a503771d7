using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>
/// Front of <see cref="AccessDecision"/> for callers: gathers consent and care relationships from their grains and
/// decides. Registered by <c>AddMircSecurity</c>; use it from ingest, retrieval, query, DICOMweb and DIMSE paths.
/// </summary>
public interface IAccessControl
{
    /// <summary>Decides one study access (retrieve, query row, store, delete).</summary>
    /// <param name="principal">Who.</param>
    /// <param name="action">What.</param>
    /// <param name="patientId">Regional patient id of the study (null if unknown: only own-establishment access can pass).</param>
    /// <param name="producingEstablishmentId">Establishment that produced the study.</param>
    /// <param name="producerSharing">The producer's sharing policy; null: read from its establishment grain when needed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    Task<AccessVerdict> AuthorizeStudyAsync(
        ProfessionalPrincipal principal,
        AccessAction action,
        string? patientId,
        string producingEstablishmentId,
        SharingPolicy? producerSharing = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides access to a stored study by its Study Instance UID (patient and producer read from the study grain).
    /// Unknown or deleted studies are denied with <see cref="AccessReason.MissingContext"/>: answer "not found" either way.
    /// </summary>
    Task<AccessVerdict> AuthorizeStoredStudyAsync(
        ProfessionalPrincipal principal,
        AccessAction action,
        string studyInstanceUid,
        CancellationToken cancellationToken = default);

    /// <summary>Decides a non-study action (audit, administration, store target) for <paramref name="establishmentId"/>.</summary>
    AccessVerdict Authorize(ProfessionalPrincipal principal, AccessAction action, string? establishmentId);

    /// <summary>The visibility scope of <paramref name="principal"/> for a query or retrieve.</summary>
    Task<AccessScope> GetScopeAsync(ProfessionalPrincipal principal, AccessAction action, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides an act of the patient's side — record or read the consent (<see cref="AccessAction.ManageConsent"/>,
    /// <see cref="AccessAction.ReadConsent"/>), read who accessed the images (<see cref="AccessAction.ReadPatientAccessReport"/>):
    /// the patient's establishments of care are read from the patient grain.
    /// </summary>
    Task<AccessVerdict> AuthorizeConsentAsync(ProfessionalPrincipal principal, AccessAction action, string patientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides a push of a stored study to a destination of <paramref name="destinationEstablishmentId"/> (C-MOVE, shares):
    /// the patient's consent applies unless the destination is the sender's or one of the patient's establishments of care.
    /// </summary>
    Task<AccessVerdict> AuthorizePushAsync(ProfessionalPrincipal principal, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken = default);
}
