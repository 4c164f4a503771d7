using Microsoft.Extensions.Options;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Security;

/// <summary>Care relationships of one professional; declaring is authorized by <see cref="AccessDecision"/> and audited.</summary>
public sealed class CareRelationshipGrain(
    [PersistentState("careRelationships", StorageProviders.Archive)] IPersistentState<CareRelationshipState> state,
    IOptions<CareRelationshipOptions> options,
    IAuditTrail audit,
    SecurityClock time)
    : Grain, ICareRelationshipGrain
{
    private readonly CareRelationshipOptions _options = options.Value;

    /// <inheritdoc />
    public async Task<CareRelationship> DeclareAsync(ProfessionalPrincipal principal, string patientId, string reason, string? source)
    {
        var now = time.GetUtcNow();
        await AuthorizeAsync(principal, AccessAction.DeclareCareRelationship, patientId, reason, source, now, consent: null);
        var relationship = new CareRelationship
        {
            ProfessionalId = this.GetPrimaryKeyString(),
            PatientId = patientId,
            Reason = reason.Trim(),
            DeclaredAt = now,
            ExpiresAt = now + _options.CareRelationshipDuration,
            EstablishmentId = principal.EstablishmentId,
        };
        await SaveAsync(relationship, now);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.CareRelationship, AuditOutcome.Success, now, source, patientId,
            detail: $"declared until {relationship.ExpiresAt:O}: {relationship.Reason}"));
        return relationship;
    }

    /// <inheritdoc />
    public async Task<CareRelationship> BreakTheGlassAsync(ProfessionalPrincipal principal, string patientId, string emergencyReason, string? source)
    {
        var now = time.GetUtcNow();
        var consent = string.IsNullOrWhiteSpace(patientId) ? null : await GrainFactory.Reference<IConsentGrain>(patientId).GetAsync();
        await AuthorizeAsync(principal, AccessAction.BreakTheGlass, patientId, emergencyReason, source, now, consent);
        var relationship = new CareRelationship
        {
            ProfessionalId = this.GetPrimaryKeyString(),
            PatientId = patientId,
            Reason = emergencyReason.Trim(),
            DeclaredAt = now,
            ExpiresAt = now + _options.BreakTheGlassDuration,
            IsEmergency = true,
            EstablishmentId = principal.EstablishmentId,
        };
        await SaveAsync(relationship, now);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.BreakTheGlass, AuditOutcome.Success, now, source, patientId,
            detail: $"emergency access until {relationship.ExpiresAt:O}: {relationship.Reason}", requiresReview: true));
        return relationship;
    }

    /// <inheritdoc />
    public Task<CareRelationship?> GetAsync(string patientId)
    {
        var now = time.GetUtcNow();
        return Task.FromResult(state.State.ByPatient.TryGetValue(patientId, out var care) && care.IsActiveAt(now) ? care : null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<CareRelationship>> GetActiveAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<CareRelationship>>(state.State.ByPatient.Values.Where(c => c.IsActiveAt(now)).ToArray());
    }

    /// <inheritdoc />
    public async Task EndAsync(ProfessionalPrincipal principal, string patientId, string? source)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var now = time.GetUtcNow();
        if (!string.Equals(principal.ProfessionalId, this.GetPrimaryKeyString(), StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException("Only the professional can end their care relationship.");
        }

        if (state.State.ByPatient.Remove(patientId))
        {
            await state.WriteOrResetAsync(DeactivateOnIdle);
            await audit.RecordAsync(principal.ToAuditEvent(AuditAction.CareRelationship, AuditOutcome.Success, now, source, patientId, detail: "ended"));
        }
    }

    private async Task AuthorizeAsync(
        ProfessionalPrincipal principal, AccessAction action, string patientId, string reason, string? source, DateTimeOffset now, ConsentSnapshot? consent)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var auditAction = action == AccessAction.BreakTheGlass ? AuditAction.BreakTheGlass : AuditAction.CareRelationship;
        if (!string.Equals(principal.ProfessionalId, this.GetPrimaryKeyString(), StringComparison.Ordinal))
        {
            await audit.RecordAsync(principal.ToAuditEvent(auditAction, AuditOutcome.Denied, now, source, patientId, detail: "declared for another professional"));
            throw new UnauthorizedAccessException("A care relationship can only be declared by the professional themself.");
        }

        if (string.IsNullOrWhiteSpace(patientId))
        {
            throw new ArgumentException("A patient id is required.", nameof(patientId));
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException(action == AccessAction.BreakTheGlass ? "An emergency reason is required." : "A reason is required.", nameof(reason));
        }

        var verdict = AccessDecision.Evaluate(new AccessRequest { Principal = principal, Action = action, Now = now, PatientId = patientId, Consent = consent });
        if (!verdict.IsAllowed)
        {
            await audit.RecordAsync(principal.ToAuditEvent(auditAction, AuditOutcome.Denied, now, source, patientId, detail: $"refused: {verdict.Reason}"));
            throw new UnauthorizedAccessException($"Not permitted: {verdict.Reason}.");
        }
    }

    private async Task SaveAsync(CareRelationship relationship, DateTimeOffset now)
    {
        foreach (var expired in state.State.ByPatient.Where(p => !p.Value.IsActiveAt(now)).Select(p => p.Key).ToArray())
        {
            state.State.ByPatient.Remove(expired);
        }

        // A declaration must not shorten or demote an active emergency access, nor vice versa: keep the later expiry.
        if (state.State.ByPatient.TryGetValue(relationship.PatientId, out var existing) && existing.ExpiresAt > relationship.ExpiresAt)
        {
            relationship = relationship with { ExpiresAt = existing.ExpiresAt };
        }

        state.State.ByPatient[relationship.PatientId] = relationship;
        await state.WriteOrResetAsync(DeactivateOnIdle);
    }
}
