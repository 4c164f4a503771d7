using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>Everything the authorization decision needs, gathered beforehand so <see cref="AccessDecision"/> stays pure.</summary>
public sealed record AccessRequest
{
    /// <summary>Who acts.</summary>
    public required ProfessionalPrincipal Principal { get; init; }

    /// <summary>What they attempt.</summary>
    public required AccessAction Action { get; init; }

    /// <summary>When (expiry of care relationships).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Regional patient id of the study (image actions, consent, care relationship).</summary>
    public string? PatientId { get; init; }

    /// <summary>Producing establishment of the study, or the establishment targeted by an administrative action (null: all).</summary>
    public string? EstablishmentId { get; init; }

    /// <summary>The patient's consent (required to share across establishments).</summary>
    public ConsentSnapshot? Consent { get; init; }

    /// <summary>The professional's active care relationship with the patient, if any.</summary>
    public CareRelationship? CareRelationship { get; init; }

    /// <summary>How the producing establishment shares its studies.</summary>
    public SharingPolicy ProducerSharing { get; init; } = SharingPolicy.CareRelationship;

    /// <summary>Professional actions: the establishment the professional belonged to before the change (null: none or new).</summary>
    public string? PreviousEstablishmentId { get; init; }

    /// <summary>Professional actions: roles the professional held before the change.</summary>
    public MircRoles RolesBefore { get; init; }

    /// <summary>Professional actions: roles the professional holds after the change.</summary>
    public MircRoles RolesAfter { get; init; }

    /// <summary>
    /// Consent and push actions: the patient's establishments of care — those holding a local id of the patient or
    /// having produced one of their studies.
    /// </summary>
    public IReadOnlyCollection<string> PatientEstablishments { get; init; } = [];

    /// <summary>Push actions: the establishment owning the destination.</summary>
    public string? DestinationEstablishmentId { get; init; }
}
