using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb.Qido;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Patients;

namespace Mirc.Api.Management.Patients;

/// <summary>Patients (<c>/api/patients</c>): search, record, manual identity link / unlink.</summary>
public static class PatientEndpoints
{
    private const int MaxResults = 200;

    /// <summary>Maps the patient routes on <paramref name="api"/>.</summary>
    public static void MapPatients(this RouteGroupBuilder api, bool enforceRoles = true)
    {
        var group = api.MapGroup("/patients").WithTags("Patients");
        group.MapGet("", SearchAsync).WithName("SearchPatients").WithSummary("Search patients by name, id, issuer, birth date (DICOM matching: * and ? wildcards, date ranges)").RequirePolicy(enforceRoles, Authentication.MircPolicies.PatientRegistry);
        group.MapGet("/{patientId}", GetAsync).WithName("GetPatient").WithSummary("Read a regional patient record with its identity history").RequirePolicy(enforceRoles, Authentication.MircPolicies.PatientRegistry);
        group.MapPost("/{patientId}/links", LinkAsync).WithName("LinkPatientIdentity").WithSummary("Manually link an establishment's local patient id to this patient").RequirePolicy(enforceRoles, Authentication.MircPolicies.PatientRegistry);
        group.MapPost("/{patientId}/unlink", UnlinkAsync).WithName("UnlinkPatientIdentity").WithSummary("Manually unlink a local patient id from this patient").RequirePolicy(enforceRoles, Authentication.MircPolicies.PatientRegistry);
    }

    private static async Task<IResult> SearchAsync(
        HttpContext context, string? name, string? patientId, string? issuer, string? birthDate, int? limit, int? offset,
        IQueryIndex index, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Check(name is null || name.Length <= 64, nameof(name), "At most 64 characters.")
            .Check(patientId is null || Identifiers.IsValidShortText(patientId), nameof(patientId), "At most 64 characters, no backslash.")
            .Check(issuer is null || Identifiers.IsValidShortText(issuer), nameof(issuer), "At most 64 characters, no backslash.")
            .Check(limit is null or (>= 1 and <= MaxResults), nameof(limit), $"Between 1 and {MaxResults}.")
            .Check(offset is null or >= 0, nameof(offset), "Zero or more.");
        if (birthDate is not null && MatchingValueSyntax.Validate("DA", birthDate) is { } dateProblem) errors.Add(nameof(birthDate), dateProblem);
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());

        var matches = new Dictionary<uint, string>();
        if (!string.IsNullOrEmpty(name)) matches[IndexTags.PatientName] = name;
        if (!string.IsNullOrEmpty(patientId)) matches[IndexTags.PatientId] = patientId;
        if (!string.IsNullOrEmpty(issuer)) matches[IndexTags.IssuerOfPatientId] = issuer;
        if (!string.IsNullOrEmpty(birthDate)) matches[IndexTags.PatientBirthDate] = birthDate;
        var authorization = await RegistryAuthorizationAsync(context, access, cancellationToken);
        var rows = authorization.IsNothing ? [] : await index.QueryAsync(new IndexQuery(QueryLevel.Patient, authorization)
        {
            Matches = matches,
            Limit = limit ?? MaxResults,
            Offset = offset ?? 0,
        }, cancellationToken);
        return Results.Ok(rows.Select(ToSummary).ToArray());
    }

    /// <summary>
    /// The registry is administration, not image access: platform administrators and the data-protection officer search
    /// every patient, an establishment administrator the patients of its establishment; anyone else (open mode) what the
    /// DICOMweb policy lets them see.
    /// </summary>
    private static async ValueTask<IndexAuthorization> RegistryAuthorizationAsync(HttpContext context, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        var principal = context.GetProfessionalPrincipal();
        if (principal?.HasAnyRole(MircRoles.PlatformAdmin | MircRoles.DataProtectionOfficer) == true)
        {
            return IndexAuthorization.All;
        }

        if (principal?.HasAnyRole(MircRoles.EstablishmentAdmin) == true)
        {
            return IndexAuthorization.Restricted([principal.EstablishmentId], []);
        }

        return await access.QueryAuthorizationAsync(ApiCaller.From(context), cancellationToken);
    }

    private static PatientSummary ToSummary(IReadOnlyDictionary<uint, string> row) => new(
        row.GetValueOrDefault(IndexTags.RegionalPatientId),
        row.GetValueOrDefault(IndexTags.PatientId),
        row.GetValueOrDefault(IndexTags.IssuerOfPatientId),
        row.GetValueOrDefault(IndexTags.PatientName),
        row.GetValueOrDefault(IndexTags.PatientBirthDate),
        row.GetValueOrDefault(IndexTags.PatientSex),
        int.TryParse(row.GetValueOrDefault(IndexTags.NumberOfPatientRelatedStudies), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null);

    private static async Task<IResult> GetAsync(
        HttpContext context, string patientId, IGrainFactory grains, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        var record = await FindVisibleAsync(context, patientId, grains, access, cancellationToken);
        return record is null ? ApiProblems.NotFound($"Patient {patientId} was not found.") : Results.Ok(record);
    }

    private static async Task<IResult> LinkAsync(
        HttpContext context, string patientId, IdentityLinkRequest request, IGrainFactory grains, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        if (await LocalIdRefusalAsync(context, request) is { } refusal) return refusal;
        if (await FindVisibleAsync(context, patientId, grains, access, cancellationToken) is not { } target)
            return ApiProblems.NotFound($"Patient {patientId} was not found.");
        patientId = target.PatientId;
        var localId = new LocalPatientId(request.EstablishmentId!, request.Issuer ?? "", request.LocalPatientId!);
        var previous = await grains.GetGrain<IPatientIdentityAdminGrain>(0).LinkAsync(localId, patientId, Actor(context), request.Reason!.Trim());
        return Results.Ok(new IdentityLinkResult(patientId, previous, localId));
    }

    private static async Task<IResult> UnlinkAsync(
        HttpContext context, string patientId, IdentityLinkRequest request, IGrainFactory grains, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        if (await LocalIdRefusalAsync(context, request) is { } refusal) return refusal;
        if (await FindVisibleAsync(context, patientId, grains, access, cancellationToken) is not { } target)
            return ApiProblems.NotFound($"Patient {patientId} was not found.");
        patientId = target.PatientId;
        var localId = new LocalPatientId(request.EstablishmentId!, request.Issuer ?? "", request.LocalPatientId!);
        var current = await grains.Reference<IPatientIdentityIndexGrain>(localId.IndexKey).GetAsync();
        if (current != patientId)
            return ApiProblems.Conflict($"Local id {localId.PatientId} of establishment {localId.EstablishmentId} is not linked to patient {patientId}.");
        var newPatientId = await grains.GetGrain<IPatientIdentityAdminGrain>(0).UnlinkAsync(localId, Actor(context), request.Reason!.Trim());
        return Results.Ok(new IdentityLinkResult(newPatientId, patientId, localId));
    }

    /// <summary>
    /// The record if it exists and the caller may see it (a hidden patient answers like a missing one);
    /// <paramref name="patientId"/> is a <see cref="PatientReference"/> (regional id, <c>ins:</c>, <c>local:</c>).
    /// </summary>
    private static async Task<PatientRecord?> FindVisibleAsync(
        HttpContext context, string patientId, IGrainFactory grains, IDicomWebAccessPolicy access, CancellationToken cancellationToken)
    {
        if (await PatientReference.ResolveAsync(grains, patientId) is not { } regional) return null;
        var record = await grains.Reference<IPatientGrain>(regional).GetAsync();
        patientId = regional;
        var authorization = await RegistryAuthorizationAsync(context, access, cancellationToken);
        var visible = authorization.IsAll
            || authorization.RegionalPatientIds.Contains(patientId)
            || record.Studies.Any(s => authorization.EstablishmentIds.Contains(s.EstablishmentId));
        return visible ? record : null;
    }

    /// <summary>An establishment's local ids are that establishment's to link (or the data-protection officer's, or the platform's).</summary>
    private static Task<IResult?> LocalIdRefusalAsync(HttpContext context, IdentityLinkRequest request) =>
        Administration.Caller(context)?.HasAnyRole(MircRoles.DataProtectionOfficer) == true
            ? Task.FromResult<IResult?>(null)
            : Administration.RefusalAsync(context, $"identity link of a local id of establishment {request.EstablishmentId}",
                p => Administration.Request(p, AccessAction.Administer, request.EstablishmentId));

    private static string Actor(HttpContext context) => ApiCaller.From(context).ProfessionalId ?? "anonymous";
}
