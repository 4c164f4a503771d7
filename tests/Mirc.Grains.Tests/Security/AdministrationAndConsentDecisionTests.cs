using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;
using static Mirc.Grains.Tests.Security.TestPrincipals;

namespace Mirc.Grains.Tests.Security;

/// <summary>The one decision for administration (establishment isolation, role grants), consent and outgoing pushes.</summary>
public sealed class AdministrationAndConsentDecisionTests
{
    private const string Patient = "PAT-1";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static AccessVerdict Decide(ProfessionalPrincipal principal, AccessAction action, string? establishment = null,
        string? previous = null, MircRoles before = MircRoles.None, MircRoles after = MircRoles.None,
        string[]? patientEstablishments = null, ConsentSnapshot? consent = null, string? destination = null) =>
        AccessDecision.Evaluate(new AccessRequest
        {
            Principal = principal,
            Action = action,
            Now = Now,
            PatientId = Patient,
            EstablishmentId = establishment,
            PreviousEstablishmentId = previous,
            RolesBefore = before,
            RolesAfter = after,
            PatientEstablishments = patientEstablishments ?? [],
            Consent = consent,
            DestinationEstablishmentId = destination,
        });

    [Theory]
    [InlineData(MircRoles.PlatformAdmin, EstablishmentB, null, MircRoles.PlatformAdmin, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, null, MircRoles.Radiologist | MircRoles.EstablishmentAdmin, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, EstablishmentA, MircRoles.Technician, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, null, MircRoles.Radiologist, false)] // another establishment
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, EstablishmentB, MircRoles.Radiologist, false)] // moving B's professional to A
    [InlineData(MircRoles.EstablishmentAdmin, null, EstablishmentA, MircRoles.Radiologist, false)] // detaching from any establishment
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, null, MircRoles.PlatformAdmin, false)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, null, MircRoles.DataProtectionOfficer, false)]
    [InlineData(MircRoles.Radiologist, EstablishmentA, null, MircRoles.Radiologist, false)]
    [InlineData(MircRoles.DataProtectionOfficer, EstablishmentA, null, MircRoles.Radiologist, false)]
    public void Professionals_are_managed_within_the_establishment_and_the_grantable_roles(
        MircRoles actor, string? target, string? previous, MircRoles after, bool allowed) =>
        Assert.Equal(allowed, Decide(Make(actor, EstablishmentA), AccessAction.ManageProfessional, target, previous, after: after).IsAllowed);

    [Fact]
    public void An_establishment_admin_cannot_demote_a_platform_role_holder_of_its_establishment() =>
        Assert.Equal(AccessReason.RoleNotPermitted, Decide(Make(MircRoles.EstablishmentAdmin, EstablishmentA), AccessAction.ManageProfessional,
            EstablishmentA, EstablishmentA, before: MircRoles.PlatformAdmin, after: MircRoles.Radiologist).Reason);

    [Theory]
    [InlineData(MircRoles.PlatformAdmin, true)]
    [InlineData(MircRoles.EstablishmentAdmin, false)]
    [InlineData(MircRoles.DataProtectionOfficer, false)]
    public void Only_platform_admins_create_establishments(MircRoles actor, bool allowed) =>
        Assert.Equal(allowed, Decide(Make(actor, EstablishmentA), AccessAction.CreateEstablishment, "NEW").IsAllowed);

    [Theory]
    [InlineData(MircRoles.DataProtectionOfficer, "platform", true)]
    [InlineData(MircRoles.Radiologist, EstablishmentA, true)]
    [InlineData(MircRoles.Physician, EstablishmentA, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, true)]
    [InlineData(MircRoles.Radiologist, EstablishmentB, false)] // the establishment the opposition blocks
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, false)]
    [InlineData(MircRoles.Technician, EstablishmentA, false)]
    [InlineData(MircRoles.PlatformAdmin, "platform", false)]
    public void Consent_is_recorded_and_read_from_the_patients_side(MircRoles actor, string establishment, bool allowed)
    {
        foreach (var action in new[] { AccessAction.ManageConsent, AccessAction.ReadConsent })
            Assert.Equal(allowed, Decide(Make(actor, establishment), action, patientEstablishments: [EstablishmentA]).IsAllowed);
    }

    [Theory]
    [InlineData(MircRoles.DataProtectionOfficer, "platform", true)]
    [InlineData(MircRoles.PlatformAdmin, "platform", true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, true)] // the establishment the patient asks
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, false)] // not one of the patient's establishments of care
    [InlineData(MircRoles.Radiologist, EstablishmentA, false)] // clinicians do not read the trail of their colleagues
    [InlineData(MircRoles.Physician, EstablishmentA, false)]
    [InlineData(MircRoles.Technician, EstablishmentA, false)]
    public void Who_accessed_the_images_is_answered_by_the_dpo_and_the_patients_establishment(MircRoles actor, string establishment, bool allowed) =>
        Assert.Equal(allowed, Decide(Make(actor, establishment), AccessAction.ReadPatientAccessReport, patientEstablishments: [EstablishmentA]).IsAllowed);

    [Fact]
    public void Without_an_establishment_of_care_only_the_dpo_records_consent()
    {
        Assert.False(Decide(Make(MircRoles.Radiologist, EstablishmentA), AccessAction.ManageConsent).IsAllowed);
        Assert.True(Decide(Dpo(), AccessAction.ManageConsent).IsAllowed);
    }

    [Theory]
    [InlineData(ConsentDecision.Opposed, EstablishmentA, true)] // the sender's own destination: nothing leaves
    [InlineData(ConsentDecision.Opposed, "EST-CARE", true)] // back to one of the patient's establishments of care
    [InlineData(ConsentDecision.Opposed, EstablishmentB, false)]
    [InlineData(ConsentDecision.NotRecorded, EstablishmentB, true)]
    [InlineData(ConsentDecision.Granted, EstablishmentB, true)]
    public void Outgoing_pushes_follow_the_patients_consent(ConsentDecision decision, string destination, bool allowed)
    {
        var consent = ConsentSnapshot.Default(Patient, ConsentPolicy.OptOut) with { Decision = decision };
        var verdict = Decide(Make(MircRoles.Device, EstablishmentA), AccessAction.PushStudy, EstablishmentA,
            patientEstablishments: [EstablishmentA, "EST-CARE"], consent: consent, destination: destination);
        Assert.Equal(allowed, verdict.IsAllowed);
        if (!allowed) Assert.Equal(AccessReason.ConsentDenied, verdict.Reason);
    }

    [Fact]
    public void A_refused_establishment_gets_no_push_and_a_push_without_consent_context_is_denied()
    {
        var refusing = ConsentSnapshot.Default(Patient, ConsentPolicy.OptOut) with { RefusedEstablishments = [EstablishmentB] };
        Assert.False(Decide(Make(MircRoles.Device, EstablishmentA), AccessAction.PushStudy, consent: refusing, destination: EstablishmentB).IsAllowed);
        Assert.Equal(AccessReason.MissingContext, Decide(Make(MircRoles.Device, EstablishmentA), AccessAction.PushStudy, destination: EstablishmentB).Reason);
    }
}
