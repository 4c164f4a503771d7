using Mirc.Grains.FanOut;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Security;

/// <summary>Grain-backed <see cref="IAccessControl"/>: reads consent and care relationships live (an opposition applies at once).</summary>
public sealed class AccessControl(IGrainFactory grains, SecurityClock time) : IAccessControl
{
    /// <inheritdoc />
    public async Task<AccessVerdict> AuthorizeStudyAsync(
        ProfessionalPrincipal principal,
        AccessAction action,
        string? patientId,
        string producingEstablishmentId,
        SharingPolicy? producerSharing = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var request = new AccessRequest
        {
            Principal = principal,
            Action = action,
            Now = time.GetUtcNow(),
            PatientId = patientId,
            EstablishmentId = producingEstablishmentId,
            ProducerSharing = producerSharing ?? SharingPolicy.CareRelationship,
        };

        // Own-establishment and role checks need no grain call: the hot ingest / retrieve path stays cheap.
        var local = AccessDecision.Evaluate(request);
        if (local.IsAllowed || local.Reason != AccessReason.MissingContext || patientId is null
            || action is not (AccessAction.QueryStudies or AccessAction.RetrieveStudies))
        {
            return local;
        }

        var consentTask = grains.Reference<IConsentGrain>(patientId).GetAsync();
        var careTask = grains.Reference<ICareRelationshipGrain>(principal.ProfessionalId).GetAsync(patientId);
        var sharingTask = producerSharing is { } known
            ? Task.FromResult(known)
            : ProducerSharingAsync(producingEstablishmentId);
        await Task.WhenAll(consentTask, careTask, sharingTask).WaitAsync(cancellationToken).ConfigureAwait(false);
        return AccessDecision.Evaluate(request with
        {
            Consent = await consentTask.ConfigureAwait(false),
            CareRelationship = await careTask.ConfigureAwait(false),
            ProducerSharing = await sharingTask.ConfigureAwait(false),
        });
    }

    /// <inheritdoc />
    public async Task<AccessVerdict> AuthorizeStoredStudyAsync(
        ProfessionalPrincipal principal,
        AccessAction action,
        string studyInstanceUid,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        var summary = await grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (summary.Status == StudyStatus.Deleted || string.IsNullOrEmpty(summary.EstablishmentId))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        return await AuthorizeStudyAsync(principal, action, summary.PatientId, summary.EstablishmentId, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<AccessVerdict> AuthorizeConsentAsync(ProfessionalPrincipal principal, AccessAction action, string patientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        return AccessDecision.Evaluate(new AccessRequest
        {
            Principal = principal,
            Action = action,
            Now = time.GetUtcNow(),
            PatientId = patientId,
            PatientEstablishments = await PatientCareEstablishments.OfAsync(grains, patientId).WaitAsync(cancellationToken).ConfigureAwait(false),
        });
    }

    /// <inheritdoc />
    public async Task<AccessVerdict> AuthorizePushAsync(
        ProfessionalPrincipal principal, string studyInstanceUid, string destinationEstablishmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        var summary = await grains.Reference<IStudyGrain>(studyInstanceUid).GetSummaryAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var request = new AccessRequest
        {
            Principal = principal,
            Action = AccessAction.PushStudy,
            Now = time.GetUtcNow(),
            PatientId = summary.PatientId,
            EstablishmentId = summary.EstablishmentId,
            DestinationEstablishmentId = destinationEstablishmentId,
        };
        if (string.IsNullOrEmpty(summary.PatientId) || AccessDecision.Evaluate(request).IsAllowed)
        {
            return AccessDecision.Evaluate(request);
        }

        var establishments = PatientCareEstablishments.OfAsync(grains, summary.PatientId);
        var consent = grains.Reference<IConsentGrain>(summary.PatientId).GetAsync();
        await Task.WhenAll(establishments, consent).WaitAsync(cancellationToken).ConfigureAwait(false);
        return AccessDecision.Evaluate(request with
        {
            PatientEstablishments = await establishments.ConfigureAwait(false),
            Consent = await consent.ConfigureAwait(false),
        });
    }

    private async Task<SharingPolicy> ProducerSharingAsync(string establishmentId)
    {
        var profile = await grains.Reference<IEstablishmentGrain>(establishmentId).GetAsync().ConfigureAwait(false);
        return profile?.Sharing ?? SharingPolicy.CareRelationship;
    }

    /// <inheritdoc />
    public AccessVerdict Authorize(ProfessionalPrincipal principal, AccessAction action, string? establishmentId) =>
        AccessDecision.Evaluate(new AccessRequest
        {
            Principal = principal,
            Action = action,
            Now = time.GetUtcNow(),
            EstablishmentId = establishmentId,
        });

    /// <inheritdoc />
    public async Task<AccessScope> GetScopeAsync(ProfessionalPrincipal principal, AccessAction action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var now = time.GetUtcNow();
        var establishments = new HashSet<string>(StringComparer.Ordinal);
        var patients = new Dictionary<string, (ConsentSnapshot, CareRelationship)>(StringComparer.Ordinal);
        if (action is not (AccessAction.QueryStudies or AccessAction.RetrieveStudies))
        {
            return new AccessScope(principal, action, now, establishments, patients);
        }

        if (principal.HasAnyRole(AccessDecision.ClinicalRoles | MircRoles.Device))
        {
            establishments.Add(principal.EstablishmentId);
        }

        if (principal.HasAnyRole(AccessDecision.SharingRoles))
        {
            var cares = await grains.Reference<ICareRelationshipGrain>(principal.ProfessionalId)
                .GetActiveAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var consents = await BoundedFanOut.SelectAsync(cares, (c, _) => grains.Reference<IConsentGrain>(c.PatientId).GetAsync(),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < cares.Count; i++)
            {
                var care = cares[i];
                var consent = consents[i];
                var allowed = care.IsEmergency
                    ? consent.AllowsEmergencyAccessBy(principal.EstablishmentId)
                    : consent.AllowsSharingWith(principal.EstablishmentId);
                if (allowed && care.IsActiveAt(now))
                {
                    patients[care.PatientId] = (consent, care);
                }
            }
        }

        return new AccessScope(principal, action, now, establishments, patients);
    }
}
