using Microsoft.Extensions.Options;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Consent;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Storage;

namespace Mirc.Grains.Consent;

/// <summary>A patient's consent with its history; authorizes and audits every change.</summary>
public sealed class ConsentGrain(
    [PersistentState("consent", StorageProviders.Archive)] IPersistentState<ConsentState> state,
    IOptions<ConsentOptions> options,
    IAuditTrail audit,
    SecurityClock time)
    : Grain, IConsentGrain
{
    private readonly ConsentPolicy _policy = options.Value.Policy;

    // Read on every cross-establishment decision: built once per change, not per call.
    private ConsentSnapshot? _snapshot;

    /// <inheritdoc />
    public Task<ConsentSnapshot> GetAsync() => Task.FromResult(_snapshot ??= Snapshot());

    /// <inheritdoc />
    public async Task<ConsentSnapshot> ChangeAsync(ProfessionalPrincipal principal, ConsentChangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        var patientId = this.GetPrimaryKeyString();
        var now = time.GetUtcNow();
        // Consent belongs to the patient's side: the decision needs the patient's establishments of care.
        var verdict = AccessDecision.Evaluate(new AccessRequest
        {
            Principal = principal,
            Action = AccessAction.ManageConsent,
            Now = now,
            PatientId = patientId,
            PatientEstablishments = await PatientCareEstablishments.OfAsync(GrainFactory, patientId),
        });
        if (!verdict.IsAllowed)
        {
            await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ConsentChange, AuditOutcome.Denied, now, request.Source, patientId,
                detail: $"{request.Kind} refused: {verdict.Reason}"));
            throw new UnauthorizedAccessException(
                "Recording consent needs the DataProtectionOfficer role, or the Radiologist, Physician or EstablishmentAdmin role in one of the patient's establishments of care.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw new ArgumentException("A reason is required for every consent change.", nameof(request));
        }

        var establishment = request.EstablishmentId?.Trim();
        if (request.Kind is ConsentChangeKind.RefuseEstablishment or ConsentChangeKind.AllowEstablishment && string.IsNullOrEmpty(establishment))
        {
            throw new ArgumentException("An establishment id is required for this change.", nameof(request));
        }

        var s = state.State;
        _snapshot = null;
        switch (request.Kind)
        {
            case ConsentChangeKind.Grant: s.Decision = ConsentDecision.Granted; break;
            case ConsentChangeKind.Oppose: s.Decision = ConsentDecision.Opposed; break;
            case ConsentChangeKind.Reset: s.Decision = ConsentDecision.NotRecorded; break;
            case ConsentChangeKind.RefuseEstablishment:
                if (!s.RefusedEstablishments.Contains(establishment!, StringComparer.Ordinal))
                {
                    s.RefusedEstablishments.Add(establishment!);
                }

                break;
            case ConsentChangeKind.AllowEstablishment: s.RefusedEstablishments.RemoveAll(e => string.Equals(e, establishment, StringComparison.Ordinal)); break;
            case ConsentChangeKind.RefuseEmergencyAccess: s.EmergencyAccessRefused = true; break;
            case ConsentChangeKind.AllowEmergencyAccess: s.EmergencyAccessRefused = false; break;
            case ConsentChangeKind.OpposeResearch: s.ResearchReuseOpposed = true; break;
            case ConsentChangeKind.AllowResearch: s.ResearchReuseOpposed = false; break;
            default: throw new ArgumentException("Unknown consent change.", nameof(request));
        }

        s.History.Add(new ConsentChange
        {
            Version = s.History.Count + 1,
            Kind = request.Kind,
            EstablishmentId = establishment,
            Reason = request.Reason.Trim(),
            At = now,
            RecordedBy = principal.Subject,
            RecordedByEstablishmentId = principal.EstablishmentId,
            RecordedByRoles = principal.Roles,
        });

        _snapshot = null;
        await state.WriteOrResetAsync(DeactivateOnIdle);

        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ConsentChange, AuditOutcome.Success, now, request.Source, patientId,
            detail: establishment is null ? $"{request.Kind}: {request.Reason}" : $"{request.Kind} {establishment}: {request.Reason}"));
        return _snapshot = Snapshot();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConsentChange>> GetHistoryAsync() =>
        Task.FromResult<IReadOnlyList<ConsentChange>>(state.State.History.ToArray());

    private ConsentSnapshot Snapshot() => new()
    {
        PatientId = this.GetPrimaryKeyString(),
        Policy = _policy,
        Decision = state.State.Decision,
        RefusedEstablishments = state.State.RefusedEstablishments.ToArray(),
        EmergencyAccessRefused = state.State.EmergencyAccessRefused,
        ResearchReuseOpposed = state.State.ResearchReuseOpposed,
        Version = state.State.History.Count,
    };
}
