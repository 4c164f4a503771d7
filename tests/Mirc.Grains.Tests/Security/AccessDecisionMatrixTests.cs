using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Xunit;
using static Mirc.Grains.Tests.Security.TestPrincipals;

namespace Mirc.Grains.Tests.Security;

/// <summary>The authorization matrix: roles × consent states × care relationship × establishment × producer sharing.</summary>
public sealed class AccessDecisionMatrixTests
{
    private const string Patient = "PAT-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    public enum Care { None, Active, Expired, EmergencyActive, OtherProfessional }

    private static readonly MircRoles[] RoleSets =
    [
        MircRoles.None, MircRoles.Radiologist, MircRoles.Physician, MircRoles.Technician, MircRoles.EstablishmentAdmin,
        MircRoles.PlatformAdmin, MircRoles.DataProtectionOfficer, MircRoles.Device,
        MircRoles.Technician | MircRoles.EstablishmentAdmin, MircRoles.Physician | MircRoles.DataProtectionOfficer,
    ];

    [Fact]
    public void Every_combination_follows_the_sharing_rules()
    {
        var mismatches = new List<string>();
        var cases = 0;
        foreach (var roles in RoleSets)
        foreach (var own in new[] { true, false })
        foreach (var policy in Enum.GetValues<ConsentPolicy>())
        foreach (var decision in Enum.GetValues<ConsentDecision>())
        foreach (var refused in new[] { false, true })
        foreach (var emergencyRefused in new[] { false, true })
        foreach (var care in Enum.GetValues<Care>())
        foreach (var sharing in Enum.GetValues<SharingPolicy>())
        foreach (var action in new[] { AccessAction.QueryStudies, AccessAction.RetrieveStudies })
        {
            cases++;
            var principal = Make(roles, EstablishmentB, "pro", "RPPS-B");
            var consent = new ConsentSnapshot
            {
                PatientId = Patient,
                Policy = policy,
                Decision = decision,
                RefusedEstablishments = refused ? [EstablishmentB] : ["EST-Z"],
                EmergencyAccessRefused = emergencyRefused,
            };
            var verdict = AccessDecision.Evaluate(new AccessRequest
            {
                Principal = principal,
                Action = action,
                Now = Now,
                PatientId = Patient,
                EstablishmentId = own ? EstablishmentB : EstablishmentA,
                Consent = consent,
                CareRelationship = CareOf(care, "RPPS-B"),
                ProducerSharing = sharing,
            });

            var expected = Expected(roles, own, policy, decision, refused, emergencyRefused, care, sharing);
            if (verdict.IsAllowed != expected)
            {
                mismatches.Add($"{roles}/{(own ? "own" : "other")}/{policy}/{decision}/refused={refused}/emergencyRefused={emergencyRefused}/{care}/{sharing}/{action}: expected {expected}, got {verdict}");
            }

            if (verdict.IsAllowed && verdict.RequiresReview != (!own && care == Care.EmergencyActive))
            {
                mismatches.Add($"{roles}/{care}: review flag {verdict.RequiresReview}");
            }
        }

        Assert.True(cases > 10_000);
        Assert.Empty(mismatches);
    }

    /// <summary>The rules as stated in the specification, one clause per line.</summary>
    private static bool Expected(MircRoles roles, bool own, ConsentPolicy policy, ConsentDecision decision, bool refused, bool emergencyRefused, Care care, SharingPolicy sharing)
    {
        var clinical = (roles & (MircRoles.Radiologist | MircRoles.Physician | MircRoles.Technician)) != 0;
        var sharingRole = (roles & (MircRoles.Radiologist | MircRoles.Physician)) != 0;
        if (own)
        {
            return clinical || roles.HasFlag(MircRoles.Device); // the producer always sees its own studies; admins/DPO never see images
        }

        if (!sharingRole || sharing == SharingPolicy.Private)
        {
            return false;
        }

        if (care == Care.EmergencyActive)
        {
            return decision != ConsentDecision.Opposed && !refused && !emergencyRefused; // break-the-glass never beats an opposition
        }

        var consentAllows = policy == ConsentPolicy.OptOut ? decision != ConsentDecision.Opposed : decision == ConsentDecision.Granted;
        if (!consentAllows || refused)
        {
            return false;
        }

        return sharing == SharingPolicy.Regional || care == Care.Active;
    }

    private static CareRelationship? CareOf(Care care, string professional) => care switch
    {
        Care.None => null,
        Care.Active => new() { ProfessionalId = professional, PatientId = Patient, Reason = "follow-up", DeclaredAt = Now.AddDays(-1), ExpiresAt = Now.AddDays(1) },
        Care.Expired => new() { ProfessionalId = professional, PatientId = Patient, Reason = "old", DeclaredAt = Now.AddDays(-60), ExpiresAt = Now.AddSeconds(-1) },
        Care.EmergencyActive => new() { ProfessionalId = professional, PatientId = Patient, Reason = "trauma", DeclaredAt = Now, ExpiresAt = Now.AddHours(2), IsEmergency = true },
        Care.OtherProfessional => new() { ProfessionalId = "SOMEONE-ELSE", PatientId = Patient, Reason = "x", DeclaredAt = Now, ExpiresAt = Now.AddDays(1) },
        _ => throw new ArgumentOutOfRangeException(nameof(care)),
    };

    [Theory]
    [InlineData(MircRoles.Radiologist, ConsentDecision.NotRecorded, true, true, AccessReason.ConsentAndCareRelationship)]
    [InlineData(MircRoles.Radiologist, ConsentDecision.NotRecorded, false, false, AccessReason.NoCareRelationship)]
    [InlineData(MircRoles.Radiologist, ConsentDecision.Opposed, true, false, AccessReason.ConsentDenied)]
    [InlineData(MircRoles.Technician, ConsentDecision.Granted, true, false, AccessReason.RoleNotPermitted)]
    [InlineData(MircRoles.PlatformAdmin, ConsentDecision.Granted, true, false, AccessReason.RoleNotPermitted)]
    [InlineData(MircRoles.DataProtectionOfficer, ConsentDecision.Granted, true, false, AccessReason.RoleNotPermitted)]
    public void Other_establishment_under_opt_out(MircRoles roles, ConsentDecision decision, bool hasCare, bool allowed, AccessReason reason)
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Make(roles, EstablishmentB, "pro", "RPPS-B"),
            Action = AccessAction.RetrieveStudies,
            Now = Now,
            PatientId = Patient,
            EstablishmentId = EstablishmentA,
            Consent = new ConsentSnapshot { PatientId = Patient, Policy = ConsentPolicy.OptOut, Decision = decision },
            CareRelationship = hasCare ? CareOf(Care.Active, "RPPS-B") : null,
        });

        Assert.Equal(allowed, verdict.IsAllowed);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void Opt_in_requires_explicit_consent_even_with_care()
    {
        var request = new AccessRequest
        {
            Principal = RadiologistB("RPPS-B"),
            Action = AccessAction.QueryStudies,
            Now = Now,
            PatientId = Patient,
            EstablishmentId = EstablishmentA,
            Consent = new ConsentSnapshot { PatientId = Patient, Policy = ConsentPolicy.OptIn },
            CareRelationship = CareOf(Care.Active, "RPPS-B"),
        };

        Assert.Equal(AccessReason.ConsentDenied, AccessDecision.Evaluate(request).Reason);
        var granted = request with { Consent = request.Consent! with { Decision = ConsentDecision.Granted } };
        Assert.True(AccessDecision.Evaluate(granted).IsAllowed);
    }

    [Fact]
    public void Consent_of_another_patient_is_not_accepted()
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = RadiologistB("RPPS-B"),
            Action = AccessAction.RetrieveStudies,
            Now = Now,
            PatientId = Patient,
            EstablishmentId = EstablishmentA,
            Consent = new ConsentSnapshot { PatientId = "PAT-OTHER", Decision = ConsentDecision.Granted },
            CareRelationship = CareOf(Care.Active, "RPPS-B"),
        });

        Assert.False(verdict.IsAllowed);
        Assert.Equal(AccessReason.MissingContext, verdict.Reason);
    }

    [Theory]
    [InlineData(MircRoles.PlatformAdmin, null, true)]
    [InlineData(MircRoles.DataProtectionOfficer, null, true)]
    [InlineData(MircRoles.EstablishmentAdmin, null, false)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, false)]
    [InlineData(MircRoles.Radiologist, EstablishmentB, false)]
    [InlineData(MircRoles.Technician, null, false)]
    public void Audit_trail_is_for_administrators_and_dpo(MircRoles roles, string? establishment, bool allowed)
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Make(roles, EstablishmentB),
            Action = AccessAction.ReadAudit,
            Now = Now,
            EstablishmentId = establishment,
        });

        Assert.Equal(allowed, verdict.IsAllowed);
    }

    [Theory]
    [InlineData(MircRoles.PlatformAdmin, null, true)]
    [InlineData(MircRoles.DataProtectionOfficer, null, true)]
    [InlineData(MircRoles.DataProtectionOfficer, EstablishmentA, true)]
    [InlineData(MircRoles.Device, EstablishmentB, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, true)]
    [InlineData(MircRoles.Device, null, false)]
    [InlineData(MircRoles.Device, EstablishmentA, false)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, false)]
    [InlineData(MircRoles.Radiologist, EstablishmentB, false)]
    [InlineData(MircRoles.Technician, EstablishmentB, false)]
    public void Change_feed_is_for_platform_readers_and_the_establishment_s_devices_and_administrators(MircRoles roles, string? establishment, bool allowed)
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Make(roles, EstablishmentB),
            Action = AccessAction.ReadChangeFeed,
            Now = Now,
            EstablishmentId = establishment,
        });

        Assert.Equal(allowed, verdict.IsAllowed);
    }

    [Theory]
    [InlineData(MircRoles.Technician, EstablishmentB, true)]
    [InlineData(MircRoles.Device, EstablishmentB, true)]
    [InlineData(MircRoles.Device, EstablishmentA, false)]
    [InlineData(MircRoles.Radiologist, EstablishmentA, false)]
    [InlineData(MircRoles.PlatformAdmin, EstablishmentB, false)]
    [InlineData(MircRoles.DataProtectionOfficer, EstablishmentB, false)]
    public void Stores_go_only_to_the_own_establishment(MircRoles roles, string target, bool allowed)
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Make(roles, EstablishmentB),
            Action = AccessAction.StoreStudies,
            Now = Now,
            EstablishmentId = target,
        });

        Assert.Equal(allowed, verdict.IsAllowed);
    }

    [Theory]
    [InlineData(MircRoles.PlatformAdmin, EstablishmentA, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentB, true)]
    [InlineData(MircRoles.EstablishmentAdmin, EstablishmentA, false)]
    [InlineData(MircRoles.Radiologist, EstablishmentB, false)]
    [InlineData(MircRoles.DataProtectionOfficer, EstablishmentB, false)]
    public void Deletion_is_administrative(MircRoles roles, string target, bool allowed)
    {
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = Make(roles, EstablishmentB),
            Action = AccessAction.DeleteStudies,
            Now = Now,
            EstablishmentId = target,
        });

        Assert.Equal(allowed, verdict.IsAllowed);
    }

    [Fact]
    public void Break_the_glass_needs_a_sharing_role_and_respects_emergency_refusal()
    {
        var request = new AccessRequest
        {
            Principal = RadiologistB(),
            Action = AccessAction.BreakTheGlass,
            Now = Now,
            PatientId = Patient,
            Consent = new ConsentSnapshot { PatientId = Patient, Policy = ConsentPolicy.OptIn },
        };

        var verdict = AccessDecision.Evaluate(request);
        Assert.True(verdict.IsAllowed);
        Assert.True(verdict.RequiresReview);
        Assert.False(AccessDecision.Evaluate(request with { Principal = Make(MircRoles.Technician, EstablishmentB) }).IsAllowed);
        Assert.False(AccessDecision.Evaluate(request with { Consent = request.Consent! with { EmergencyAccessRefused = true } }).IsAllowed);
        Assert.False(AccessDecision.Evaluate(request with { PatientId = null }).IsAllowed);
    }

    [Fact]
    public void Role_names_parse_without_escalation()
    {
        Assert.Equal(MircRoles.Radiologist | MircRoles.DataProtectionOfficer, MircRoleNames.Parse(["radiologist", "DPO", "unknown"]));
        Assert.False(MircRoleNames.TryParse("127", out _));
        Assert.False(MircRoleNames.TryParse("Radiologist, PlatformAdmin", out _));
        Assert.Equal(["Physician", "Technician"], MircRoleNames.ToNames(MircRoles.Physician | MircRoles.Technician));
    }
}
