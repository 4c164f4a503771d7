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
}
