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
/// </list>
/// </summary>
public static class AccessDecision
{
    /// <summary>Roles that may see images of their own establishment.</summary>
    public const MircRoles ClinicalRoles = MircRoles.Radiologist | MircRoles.Physician | MircRoles.Technician;

    /// <summary>Roles that may see images of other establishments (under consent and care relationship).</summary>
    public const MircRoles SharingRoles = MircRoles.Radiologist | MircRoles.Physician;

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
            AccessAction.ManageConsent => request.Principal.HasAnyRole(MircRoles.DataProtectionOfficer | MircRoles.PlatformAdmin | MircRoles.EstablishmentAdmin)
                ? AccessVerdict.Allow(AccessReason.AdministrativeRole)
                : request.Principal.HasAnyRole(SharingRoles) ? AccessVerdict.Allow(AccessReason.RolePermits) : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            AccessAction.DeclareCareRelationship => request.Principal.HasAnyRole(SharingRoles)
                ? AccessVerdict.Allow(AccessReason.RolePermits)
                : AccessVerdict.Deny(AccessReason.RoleNotPermitted),
            AccessAction.BreakTheGlass => EvaluateBreakTheGlass(request),
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
