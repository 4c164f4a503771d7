using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Access;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Interfaces.Studies;
using Mirc.Grains.Patients;

namespace Mirc.Api.Management.Patients;

/// <summary>Body of <c>POST /api/patients/{patientId}/reconcile</c>.</summary>
/// <param name="StudyInstanceUid">The study received without Patient ID (held by its provisional patient).</param>
/// <param name="Reason">Why the operator attributes it to this patient (audited; required).</param>
public sealed record StudyReconciliationRequest(string? StudyInstanceUid, string? Reason);

/// <summary>Identity reconciliation of a study received without Patient ID: moves it from its provisional patient to a known one.</summary>
public static class UnidentifiedStudyEndpoints
{
    /// <summary>Maps <c>POST /api/patients/{patientId}/reconcile</c> on <paramref name="api"/>.</summary>
    public static void MapUnidentifiedStudies(this RouteGroupBuilder api, bool enforceRoles = false) =>
        api.MapPost("/patients/{patientId}/reconcile", ReconcileAsync).WithTags("Patients").WithName("ReconcileUnidentifiedStudy")
            .WithSummary("Attribute a study received without Patient ID to this patient (moves it from its provisional patient; audited)")
            .RequirePolicy(enforceRoles, MircPolicies.PatientRegistry);

    private static async Task<IResult> ReconcileAsync(
        HttpContext context, string patientId, StudyReconciliationRequest request, IGrainFactory grains, UnidentifiedPatients unidentified,
        IAuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Check(!string.IsNullOrWhiteSpace(request.StudyInstanceUid) && request.StudyInstanceUid.Length <= 64, nameof(request.StudyInstanceUid), "Required: a Study Instance UID.")
            .Check(!string.IsNullOrWhiteSpace(request.Reason) && request.Reason.Length <= 1024, nameof(request.Reason), "Required: why the study is attributed to this patient (at most 1024 characters).");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        if (!Identifiers.IsValidKey(patientId) || !await grains.Reference<IPatientGrain>(patientId).ExistsAsync())
            return ApiProblems.NotFound($"Patient {patientId} was not found.");

        // Only the producing establishment sees an unidentified study: anyone else is answered as if it did not exist.
        var principal = context.GetProfessionalPrincipal();
        var study = await grains.Reference<IStudyGrain>(request.StudyInstanceUid!).GetSummaryAsync();
        var mayReconcile = principal is null
            || principal.HasAnyRole(MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer)
            || string.Equals(principal.EstablishmentId, study.EstablishmentId, StringComparison.Ordinal);
        if (!mayReconcile || await unidentified.FindProvisionalOwnerAsync(request.StudyInstanceUid!) is null)
            return ApiProblems.NotFound($"No unidentified study {request.StudyInstanceUid} was found.");

        var actor = ApiCaller.From(context).ProfessionalId ?? "anonymous";
        var provisional = await unidentified.ReconcileAsync(request.StudyInstanceUid!, patientId, actor, request.Reason!.Trim(), cancellationToken);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.IdentityLink, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), patientId,
            [request.StudyInstanceUid!], $"unidentified study reconciled from provisional patient {provisional}: {request.Reason!.Trim()}"), cancellationToken);
        return Results.Ok(new { patientId, provisionalPatientId = provisional, studyInstanceUid = request.StudyInstanceUid });
    }
}
