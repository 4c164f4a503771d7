using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Audit;

/// <summary>Builds audit events with the actor fields of a principal.</summary>
public static class PrincipalAuditExtensions
{
    /// <summary>An event about <paramref name="action"/> by <paramref name="principal"/> (null: anonymous).</summary>
    public static AuditEvent ToAuditEvent(
        this ProfessionalPrincipal? principal,
        AuditAction action,
        AuditOutcome outcome,
        DateTimeOffset timestamp,
        string? source = null,
        string? patientId = null,
        IReadOnlyList<string>? studyUids = null,
        string? detail = null,
        bool requiresReview = false) => new()
    {
        Timestamp = timestamp,
        Action = action,
        Outcome = outcome,
        ActorId = principal?.Subject,
        ActorRpps = principal?.Rpps,
        ActorEstablishmentId = principal?.EstablishmentId,
        ActorRoles = principal is null ? null : string.Join(',', MircRoleNames.ToNames(principal.Roles)),
        Source = source,
        PatientId = patientId,
        StudyUids = studyUids ?? [],
        Detail = detail,
        RequiresReview = requiresReview,
    };
}
