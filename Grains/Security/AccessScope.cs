using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>
/// What a principal may see for one action, computed once per query so the query layer can filter before counting
/// (no leak of existence): whole establishments (<see cref="EstablishmentIds"/>) plus individual patients reached
/// through care relationships (<see cref="PatientIds"/>). <see cref="CanSee"/> is the exact per-study predicate.
/// </summary>
public sealed class AccessScope
{
    private readonly Dictionary<string, (ConsentSnapshot Consent, CareRelationship Care)> _patients;

    internal AccessScope(
        ProfessionalPrincipal principal,
        AccessAction action,
        DateTimeOffset now,
        IReadOnlySet<string> establishmentIds,
        Dictionary<string, (ConsentSnapshot Consent, CareRelationship Care)> patients)
    {
        Principal = principal;
        Action = action;
        Now = now;
        EstablishmentIds = establishmentIds;
        _patients = patients;
        PatientIds = new HashSet<string>(patients.Keys, StringComparer.Ordinal);
    }

    /// <summary>Whose scope.</summary>
    public ProfessionalPrincipal Principal { get; }

    /// <summary>For which action.</summary>
    public AccessAction Action { get; }

    /// <summary>Decision instant.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Producing establishments whose every study is visible (the principal's own, when the role allows).</summary>
    public IReadOnlySet<string> EstablishmentIds { get; }

    /// <summary>Regional patient ids whose shared studies are visible (consent + care relationship or break-the-glass).</summary>
    public IReadOnlySet<string> PatientIds { get; }

    /// <summary>True when nothing at all is visible (answer empty without querying).</summary>
    public bool IsEmpty => EstablishmentIds.Count == 0 && PatientIds.Count == 0;

    /// <summary>Whether any visible patient was reached through break-the-glass (audit with review flag).</summary>
    public bool IncludesEmergencyAccess => _patients.Values.Any(p => p.Care.IsEmergency);

    /// <summary>The exact decision for one study (apply to candidate rows before counting).</summary>
    public bool CanSee(string? patientId, string producingEstablishmentId, SharingPolicy producerSharing = SharingPolicy.CareRelationship)
        => Decide(patientId, producingEstablishmentId, producerSharing).IsAllowed;

    /// <summary>The full verdict for one study.</summary>
    public AccessVerdict Decide(string? patientId, string producingEstablishmentId, SharingPolicy producerSharing = SharingPolicy.CareRelationship)
    {
        ConsentSnapshot? consent = null;
        CareRelationship? care = null;
        if (patientId is not null && _patients.TryGetValue(patientId, out var grant))
        {
            consent = grant.Consent;
            care = grant.Care;
        }

        return AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Principal,
            Action = Action,
            Now = Now,
            PatientId = patientId,
            EstablishmentId = producingEstablishmentId,
            Consent = consent,
            CareRelationship = care,
            ProducerSharing = producerSharing,
        });
    }
}
