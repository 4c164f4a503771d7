using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Security;
using Xunit;
using static Mirc.Grains.Tests.Security.TestPrincipals;

namespace Mirc.Grains.Tests.Security;

/// <summary>The service front: consent and care relationships read live from their grains.</summary>
public sealed class AccessControlTests(SecurityCluster cluster) : IClassFixture<SecurityCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sharing_needs_a_declared_care_relationship_and_opposition_applies_at_once()
    {
        const string patient = "PAT-OPPOSE";
        var radiologist = RadiologistB("RPPS-OPPOSE");
        var access = cluster.AccessControl;

        var before = await access.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct);
        Assert.Equal(AccessReason.NoCareRelationship, before.Reason);

        await cluster.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId).DeclareAsync(radiologist, patient, "referral for CT follow-up", "10.0.0.5");
        Assert.True((await access.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);
        var scope = await access.GetScopeAsync(radiologist, AccessAction.QueryStudies, Ct);
        Assert.Contains(patient, scope.PatientIds);
        Assert.Contains(EstablishmentB, scope.EstablishmentIds);
        Assert.True(scope.CanSee(patient, EstablishmentA));
        Assert.False(scope.CanSee("PAT-UNRELATED", EstablishmentA));
        Assert.False(scope.CanSee(patient, EstablishmentA, SharingPolicy.Private));

        var consent = cluster.Grains.GetGrain<IConsentGrain>(patient);
        await consent.ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.Oppose, Reason = "patient letter of 2026-11-24" });

        var after = await access.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct);
        Assert.Equal(AccessReason.ConsentDenied, after.Reason);
        Assert.DoesNotContain(patient, (await access.GetScopeAsync(radiologist, AccessAction.QueryStudies, Ct)).PatientIds);

        // The producing establishment keeps seeing its own studies.
        Assert.True((await access.AuthorizeStudyAsync(Make(MircRoles.Technician, EstablishmentA), AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);
    }

    [Fact]
    public async Task Establishment_refusal_targets_one_establishment_and_history_is_kept()
    {
        const string patient = "PAT-REFUSE";
        var fromB = RadiologistB("RPPS-REFUSE-B");
        var fromC = Make(MircRoles.Physician, "EST-C", "phys-c", "RPPS-REFUSE-C");
        foreach (var pro in new[] { fromB, fromC })
        {
            await cluster.Grains.GetGrain<ICareRelationshipGrain>(pro.ProfessionalId).DeclareAsync(pro, patient, "shared care", null);
        }

        var consent = cluster.Grains.GetGrain<IConsentGrain>(patient);
        // Consent belongs to the patient's side: the DPO records it (PAT-REFUSE has no establishment of care here).
        await consent.ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.RefuseEstablishment, EstablishmentId = EstablishmentB, Reason = "patient refuses EST-B" });

        Assert.Equal(AccessReason.ConsentDenied, (await cluster.AccessControl.AuthorizeStudyAsync(fromB, AccessAction.QueryStudies, patient, EstablishmentA, cancellationToken: Ct)).Reason);
        Assert.True((await cluster.AccessControl.AuthorizeStudyAsync(fromC, AccessAction.QueryStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);

        await consent.ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.AllowEstablishment, EstablishmentId = EstablishmentB, Reason = "patient changed mind" });
        Assert.True((await cluster.AccessControl.AuthorizeStudyAsync(fromB, AccessAction.QueryStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);

        var history = await consent.GetHistoryAsync();
        Assert.Equal([ConsentChangeKind.RefuseEstablishment, ConsentChangeKind.AllowEstablishment], history.Select(h => h.Kind));
        Assert.Equal(["dpo", "dpo"], history.Select(h => h.RecordedBy));
        Assert.Equal([1L, 2L], history.Select(h => h.Version));
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.Reason)));

        await cluster.Audit.FlushAsync(Ct);
        var audited = await cluster.Audit.QueryAsync(new AuditFilter { PatientId = patient, Actions = [AuditAction.ConsentChange] }, Ct);
        Assert.Equal(2, audited.Count);
    }

    [Fact]
    public async Task Consent_changes_need_a_permitted_role_and_a_reason()
    {
        var consent = cluster.Grains.GetGrain<IConsentGrain>("PAT-ROLES");
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => consent.ChangeAsync(Make(MircRoles.Technician, EstablishmentA), new ConsentChangeRequest { Kind = ConsentChangeKind.Oppose, Reason = "x" }));
        await Assert.ThrowsAsync<ArgumentException>(() => consent.ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.Oppose, Reason = " " }));
        await Assert.ThrowsAsync<ArgumentException>(() => consent.ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.RefuseEstablishment, Reason = "r" }));
        Assert.Equal(ConsentDecision.NotRecorded, (await consent.GetAsync()).Decision);
        Assert.Empty(await consent.GetHistoryAsync());
    }

    [Fact]
    public async Task Care_relationship_expires_after_the_configured_time()
    {
        const string patient = "PAT-EXPIRE";
        var radiologist = RadiologistB("RPPS-EXPIRE");
        var care = await cluster.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId).DeclareAsync(radiologist, patient, "second opinion", null);
        Assert.Equal(TimeSpan.FromDays(30), care.ExpiresAt - care.DeclaredAt);
        Assert.True((await cluster.AccessControl.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);

        cluster.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        Assert.Equal(AccessReason.NoCareRelationship, (await cluster.AccessControl.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).Reason);
        Assert.Empty((await cluster.AccessControl.GetScopeAsync(radiologist, AccessAction.QueryStudies, Ct)).PatientIds);
    }

    [Fact]
    public async Task Care_relationship_rules()
    {
        var radiologist = RadiologistB("RPPS-RULES");
        var grain = cluster.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId);
        await Assert.ThrowsAsync<ArgumentException>(() => grain.DeclareAsync(radiologist, "PAT-X", "", null));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.DeclareAsync(RadiologistB("SOMEONE-ELSE"), "PAT-X", "reason", null));
        var technician = Make(MircRoles.Technician, EstablishmentB, "tech", "RPPS-TECH");
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => cluster.Grains.GetGrain<ICareRelationshipGrain>("RPPS-TECH").DeclareAsync(technician, "PAT-X", "reason", null));
    }

    [Fact]
    public async Task Break_the_glass_is_allowed_with_a_reason_flagged_and_audited()
    {
        const string patient = "PAT-EMERGENCY";
        var physician = Make(MircRoles.Physician, EstablishmentB, "er-doc", "RPPS-ER");
        var grain = cluster.Grains.GetGrain<ICareRelationshipGrain>(physician.ProfessionalId);
        await Assert.ThrowsAsync<ArgumentException>(() => grain.BreakTheGlassAsync(physician, patient, "  ", null));

        await grain.BreakTheGlassAsync(physician, patient, "unconscious patient, polytrauma", "10.1.1.1");
        var verdict = await cluster.AccessControl.AuthorizeStudyAsync(physician, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct);
        Assert.True(verdict.IsAllowed);
        Assert.True(verdict.RequiresReview);
        Assert.True((await cluster.AccessControl.GetScopeAsync(physician, AccessAction.QueryStudies, Ct)).IncludesEmergencyAccess);

        await cluster.Audit.FlushAsync(Ct);
        var flagged = await cluster.Audit.QueryAsync(new AuditFilter { OnlyRequiringReview = true, PatientId = patient }, Ct);
        var record = Assert.Single(flagged);
        Assert.Equal(AuditAction.BreakTheGlass, record.Event.Action);
        Assert.Equal("RPPS-ER", record.Event.ActorRpps);
        Assert.Contains("polytrauma", record.Event.Detail, StringComparison.Ordinal);

        var report = await cluster.Audit.GetPatientAccessReportAsync(patient, Ct);
        Assert.Contains(report, e => e.Emergency && e.Who == "RPPS-ER");

        // An explicit refusal of emergency access stops new break-the-glass accesses and the current one.
        await cluster.Grains.GetGrain<IConsentGrain>(patient).ChangeAsync(Dpo(), new ConsentChangeRequest { Kind = ConsentChangeKind.RefuseEmergencyAccess, Reason = "advance directive" });
        Assert.False((await cluster.AccessControl.AuthorizeStudyAsync(physician, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.BreakTheGlassAsync(physician, patient, "again", null));
    }

    [Fact]
    public async Task Administrators_scope_contains_no_images()
    {
        foreach (var roles in new[] { MircRoles.PlatformAdmin, MircRoles.DataProtectionOfficer, MircRoles.EstablishmentAdmin })
        {
            var scope = await cluster.AccessControl.GetScopeAsync(Make(roles, EstablishmentA), AccessAction.QueryStudies, Ct);
            Assert.True(scope.IsEmpty);
        }
    }

    [Fact]
    public async Task Private_producer_never_shares_and_unknown_studies_are_denied()
    {
        const string patient = "PAT-PRIVATE";
        var radiologist = RadiologistB("RPPS-PRIVATE");
        await cluster.Grains.GetGrain<ICareRelationshipGrain>(radiologist.ProfessionalId).DeclareAsync(radiologist, patient, "follow-up", null);
        await cluster.Grains.GetGrain<IEstablishmentGrain>("EST-PRIVATE").SaveAsync(new EstablishmentProfile { EstablishmentId = "EST-PRIVATE", Name = "Private clinic", Sharing = SharingPolicy.Private });

        Assert.Equal(AccessReason.ProducerDoesNotShare, (await cluster.AccessControl.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, "EST-PRIVATE", cancellationToken: Ct)).Reason);
        Assert.True((await cluster.AccessControl.AuthorizeStudyAsync(radiologist, AccessAction.RetrieveStudies, patient, EstablishmentA, cancellationToken: Ct)).IsAllowed);
        Assert.True((await cluster.AccessControl.AuthorizeStudyAsync(Make(MircRoles.Technician, "EST-PRIVATE"), AccessAction.RetrieveStudies, patient, "EST-PRIVATE", cancellationToken: Ct)).IsAllowed);

        var unknown = await cluster.AccessControl.AuthorizeStoredStudyAsync(radiologist, AccessAction.RetrieveStudies, "1.2.999.404", Ct);
        Assert.False(unknown.IsAllowed);
        Assert.Equal(AccessReason.MissingContext, unknown.Reason);
    }
}
