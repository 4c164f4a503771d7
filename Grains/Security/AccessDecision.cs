using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>
/// The one authorization decision of the platform, as a pure function. Every path (DIMSE, DICOMweb, management API,
/// grains) asks it, directly or through <see cref="IAccessControl"/>.
/// <list type="bullet">
/// <item>The producing establishment's clinical staff and devices always see its own studies.</item>
/// <item>A radiologist or physician of another establishment sees them only if the producer shares, the patient's
/// consent allows that establishment, and an active care relationship exists — or through break-the-glass, which
/// overrides a missing consent or care relationship but never an opposition, and is flagged for review.</item>
/// <item>Administrators and data-protection officers see the audit trail, never images.</item>
/// <item>An establishment administrator administers only its own establishment (AE titles, settings, professionals,
/// audit records) and grants only <see cref="EstablishmentGrantableRoles"/>; creating establishments, moving a
/// professional between establishments and granting platform roles is for platform administrators.</item>
/// <item>Consent belongs to the patient's side: a data-protection officer, or a radiologist, physician or establishment
/// administrator of one of the patient's establishments of care (a local id or a study there), records and reads it.
/// A professional of another establishment — the one an opposition blocks — never can.</item>
/// <item>"Who accessed my images" is answered by the data-protection officer, a platform administrator, or the
/// administrator of one of the patient's establishments of care.</item>
/// <item>Research projects and their de-identified exports are for data-protection officers and research managers;
/// the re-identification table for data-protection officers only.</item>
/// <item>A push to another establishment's destination (C-MOVE, shares) follows the patient's consent, except towards
/// the patient's own establishments of care.</item>
/// </list>
/// </summary>
public static class AccessDecision
{
    /// <summary>Roles that may see images of their own establishment.</summary>
    public const MircRoles ClinicalRoles = MircRoles.Radiologist | MircRoles.Physician | MircRoles.Technician;

    /// <summary>Roles that may see images of other establishments (under consent and care relationship).</summary>
    public const MircRoles SharingRoles = MircRoles.Radiologist | MircRoles.Physician;

    /// <summary>Roles an establishment administrator may grant (and change) within its establishment.</summary>
    public const MircRoles EstablishmentGrantableRoles = ClinicalRoles | MircRoles.EstablishmentAdmin;

    /// <summary>Roles that record a patient's wishes when they work at one of the patient's establishments of care.</summary>
    public const MircRoles ConsentRoles = SharingRoles | MircRoles.EstablishmentAdmin;

    /// <summary>Roles that define research projects and run de-identified exports.</summary>
    public const MircRoles ResearchRoles = MircRoles.DataProtectionOfficer | MircRoles.ResearchManager;

    /// <summary>The roles <paramref name="principal"/> may grant: a role only grants what it holds the power to.</summary>
    public static MircRoles GrantableRoles(ProfessionalPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.HasAnyRole(MircRoles.PlatformAdmin))
        {
            return ClinicalRoles | MircRoles.EstablishmentAdmin | MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer | MircRoles.ResearchManager;
        }

        return principal.HasAnyRole(MircRoles.EstablishmentAdmin) ? EstablishmentGrantableRoles : MircRoles.None;
    }

    /// <summary>Decides.</summary>
    public static AccessVerdict Evaluate(AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Action switch
        {
            AccessAction.QueryStudies or AccessAction.RetrieveStudies => EvaluateImageAccess(request),
            AccessAction.StoreStudies => EvaluateStore(request),
            AccessAction.DeleteStudies => EvaluateEstablishmentAdministration(request),
            AccessAction.Administer => EvaluateEstablishmentAdministration(request),
            AccessAction.ReadAudit => EvaluateAuditAccess(request),
            AccessAction.ReadChangeFeed => EvaluateChangeFeedAccess(request),
            AccessAction.ManageConsent or AccessAction.ReadConsent => EvaluateConsent(request),
            AccessAction.ReadPatientAccessReport => EvaluatePatientAccessReport(request),
            AccessAction.CreateEstablishment => request.Principal.HasAnyRole(MircRoles.PlatformAdmin)
                ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            AccessAction.ManageProfessional => EvaluateProfessionalAdministration(request),
            AccessAction.PushStudy => EvaluatePush(request),
            AccessAction.DeclareCareRelationship => request.Principal.HasAnyRole(SharingRoles)
                ? AccessVerdict.Allow(AccessReason.RolePermits)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            AccessAction.BreakTheGlass => EvaluateBreakTheGlass(request),
            // Research: only pseudonymized data leaves; who the pseudonyms are stays with the data-protection officer.
            AccessAction.ExportForResearch => request.Principal.HasAnyRole(ResearchRoles)
                ? AccessVerdict.Allow(AccessReason.RolePermits)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            AccessAction.Reidentify => request.Principal.HasAnyRole(MircRoles.DataProtectionOfficer)
                ? AccessVerdict.Allow(AccessReason.RolePermits)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            _ => AccessVerdict.Deny(AccessReason.RoleNotPermitted),
        };
    }

    private static AccessVerdict EvaluateImageAccess(AccessRequest request)
    {
        var principal = request.Principal;
        if (string.IsNullOrEmpty(request.EstablishmentId))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        if (IsOwnEstablishment(request))
        {
            return principal.HasAnyRole(ClinicalRoles | MircRoles.Device)
                ? AccessVerdict.Allow(AccessReason.OwnEstablishment)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        if (!principal.HasAnyRole(SharingRoles))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        if (request.ProducerSharing == SharingPolicy.Private)
        {
            return AccessVerdict.Deny(AccessReason.ProducerDoesNotShare);
        }

        if (string.IsNullOrEmpty(request.PatientId) || request.Consent is null
            || !string.Equals(request.Consent.PatientId, request.PatientId, StringComparison.Ordinal))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        var care = ActiveCareRelationship(request);
        if (care is { IsEmergency: true })
        {
            return request.Consent.AllowsEmergencyAccessBy(principal.EstablishmentId)
                ? AccessVerdict.Allow(AccessReason.BreakTheGlass, requiresReview: true)
                : AccessVerdict.Deny(AccessReason.ConsentDenied);
        }

        if (!request.Consent.AllowsSharingWith(principal.EstablishmentId))
        {
            return AccessVerdict.Deny(AccessReason.ConsentDenied);
        }

        if (request.ProducerSharing == SharingPolicy.Regional)
        {
            return AccessVerdict.Allow(AccessReason.RegionalSharing);
        }

        return care is not null
            ? AccessVerdict.Allow(AccessReason.ConsentAndCareRelationship)
            : AccessVerdict.Deny(AccessReason.NoCareRelationship);
    }

    private static AccessVerdict EvaluateStore(AccessRequest request)
    {
        if (!request.Principal.HasAnyRole(ClinicalRoles | MircRoles.Device))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        // Studies are always stored for the establishment the principal acts for: one cannot write into another's archive.
        return string.IsNullOrEmpty(request.EstablishmentId) || IsOwnEstablishment(request)
            ? AccessVerdict.Allow(AccessReason.OwnEstablishment)
            : AccessVerdict.Deny(AccessReason.OtherEstablishment);
    }

    private static AccessVerdict EvaluateEstablishmentAdministration(AccessRequest request)
    {
        var principal = request.Principal;
        if (principal.HasAnyRole(MircRoles.PlatformAdmin))
        {
            return AccessVerdict.Allow(AccessReason.AdministrativeRole);
        }

        if (!principal.HasAnyRole(MircRoles.EstablishmentAdmin))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        return !string.IsNullOrEmpty(request.EstablishmentId) && IsOwnEstablishment(request)
            ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
            : AccessVerdict.Deny(AccessReason.OtherEstablishment);
    }

    private static AccessVerdict EvaluateProfessionalAdministration(AccessRequest request)
    {
        var principal = request.Principal;
        var establishment = EvaluateEstablishmentAdministration(request);
        if (!establishment.IsAllowed || principal.HasAnyRole(MircRoles.PlatformAdmin))
        {
            return establishment;
        }

        // Moving a professional out of another establishment is a platform decision.
        if (request.PreviousEstablishmentId is { } previous && !string.Equals(previous, principal.EstablishmentId, StringComparison.Ordinal))
        {
            return AccessVerdict.Deny(AccessReason.OtherEstablishment);
        }

        // Roles held before and after must all be grantable: no escalation, and no demotion of a platform role holder.
        return ((request.RolesBefore | request.RolesAfter) & ~GrantableRoles(principal)) == 0
            ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
            : AccessVerdict.Deny(AccessReason.RoleNotPermitted);
    }

    private static AccessVerdict EvaluateConsent(AccessRequest request)
    {
        var principal = request.Principal;
        if (principal.HasAnyRole(MircRoles.DataProtectionOfficer))
        {
            return AccessVerdict.Allow(AccessReason.AdministrativeRole);
        }

        if (!principal.HasAnyRole(ConsentRoles))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        return request.PatientEstablishments.Contains(principal.EstablishmentId, StringComparer.Ordinal)
            ? AccessVerdict.Allow(AccessReason.RolePermits)
            : AccessVerdict.Deny(AccessReason.OtherEstablishment);
    }

    private static AccessVerdict EvaluatePatientAccessReport(AccessRequest request)
    {
        var principal = request.Principal;
        if (principal.HasAnyRole(MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer))
        {
            return AccessVerdict.Allow(AccessReason.AdministrativeRole);
        }

        // The patient asks the establishment that cares for them: its administrator answers, for that patient only.
        if (!principal.HasAnyRole(MircRoles.EstablishmentAdmin))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        return request.PatientEstablishments.Contains(principal.EstablishmentId, StringComparer.Ordinal)
            ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
            : AccessVerdict.Deny(AccessReason.OtherEstablishment);
    }

    private static AccessVerdict EvaluatePush(AccessRequest request)
    {
        var destination = request.DestinationEstablishmentId;
        if (string.IsNullOrEmpty(destination))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        // Within the sender's own establishment nothing leaves; towards the patient's own establishments of care the
        // images go back to the patient's side: neither is an outgoing share the consent governs.
        if (string.Equals(destination, request.Principal.EstablishmentId, StringComparison.Ordinal)
            || request.PatientEstablishments.Contains(destination, StringComparer.Ordinal))
        {
            return AccessVerdict.Allow(AccessReason.OwnEstablishment);
        }

        if (request.Consent is null || string.IsNullOrEmpty(request.PatientId)
            || !string.Equals(request.Consent.PatientId, request.PatientId, StringComparison.Ordinal))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        return request.Consent.AllowsSharingWith(destination)
            ? AccessVerdict.Allow(AccessReason.RolePermits)
            : AccessVerdict.Deny(AccessReason.ConsentDenied);
    }

    private static AccessVerdict EvaluateAuditAccess(AccessRequest request)
    {
        var principal = request.Principal;
        if (principal.HasAnyRole(MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer))
        {
            return AccessVerdict.Allow(AccessReason.AdministrativeRole);
        }

        // An establishment administrator reads the records of their own establishment only (EstablishmentId = filter).
        if (principal.HasAnyRole(MircRoles.EstablishmentAdmin))
        {
            return !string.IsNullOrEmpty(request.EstablishmentId) && IsOwnEstablishment(request)
                ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
                : AccessVerdict.Deny(AccessReason.OtherEstablishment);
        }

        return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
    }

    private static AccessVerdict EvaluateChangeFeedAccess(AccessRequest request)
    {
        var principal = request.Principal;
        if (principal.HasAnyRole(MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer))
        {
            return AccessVerdict.Allow(AccessReason.AdministrativeRole);
        }

        // UIDs and patient references only, no images: an establishment's machines and administrators follow its own.
        if (!principal.HasAnyRole(MircRoles.Device | MircRoles.EstablishmentAdmin))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        return !string.IsNullOrEmpty(request.EstablishmentId) && IsOwnEstablishment(request)
            ? AccessVerdict.Allow(AccessReason.OwnEstablishment)
            : AccessVerdict.Deny(AccessReason.OtherEstablishment);
    }

    private static AccessVerdict EvaluateBreakTheGlass(AccessRequest request)
    {
        if (!request.Principal.HasAnyRole(SharingRoles))
        {
            return AccessVerdict.Deny(AccessReason.RoleNotPermitted);
        }

        if (string.IsNullOrEmpty(request.PatientId))
        {
            return AccessVerdict.Deny(AccessReason.MissingContext);
        }

        return request.Consent is not null && !request.Consent.AllowsEmergencyAccessBy(request.Principal.EstablishmentId)
            ? AccessVerdict.Deny(AccessReason.ConsentDenied)
            : AccessVerdict.Allow(AccessReason.BreakTheGlass, requiresReview: true);
    }

    private static bool IsOwnEstablishment(AccessRequest request) =>
        string.Equals(request.EstablishmentId, request.Principal.EstablishmentId, StringComparison.Ordinal);

    private static CareRelationship? ActiveCareRelationship(AccessRequest request)
    {
        var care = request.CareRelationship;
        return care is not null
            && care.IsActiveAt(request.Now)
            && string.Equals(care.PatientId, request.PatientId, StringComparison.Ordinal)
            && string.Equals(care.ProfessionalId, request.Principal.ProfessionalId, StringComparison.Ordinal)
            ? care
            : null;
    }
}
