using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mirc.Api.Authentication;
using Mirc.Api.Management;
using Mirc.Api.Management.Patients;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Patients;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Api.Portal;

/// <summary>
/// The clinician's view of the patient registry (<c>/api/portal/patients</c>): find a patient by a precise criterion
/// and list every study of every establishment, each with the access decision's verdict, so that a hidden study shows
/// as "hidden: care relationship required" instead of silence (QIDO-RS keeps hiding it). Radiologists, physicians and
/// the data-protection officer only; every answer naming a patient is audited as a query.
/// </summary>
public static class PortalPatientEndpoints
{
    private const int MaxResults = 20;
    private const MircRoles Readers = AccessDecision.SharingRoles | MircRoles.DataProtectionOfficer;
    private static readonly string[] ReaderRoleNames = ["Radiologist", "Physician", "DataProtectionOfficer"];

    /// <summary>Maps the routes on the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapPortalPatients(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/portal/patients").WithTags("Portal");
        group.MapGet("", SearchAsync).WithName("PortalSearchPatients")
            .WithSummary("Find patients by INS, local id, or name and birth date (one precise criterion: no browsing)");
        group.MapGet("/{patientId}", GetAsync).WithName("PortalPatient")
            .WithSummary("A patient and every study of every establishment, each visible or hidden with the reason");
        return api;
    }

    private static async Task<IResult> SearchAsync(HttpContext context, string? ins, string? localId, string? name, string? birthDate,
        IGrainFactory grains, IQueryIndex index, IAuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Refusal(context) is { } refusal) return refusal;
        var principal = context.GetProfessionalPrincipal()!;
        ins = Blank(ins); localId = Blank(localId); name = Blank(name); birthDate = Blank(birthDate);
        var errors = new FieldErrors()
            .Check(ins is null || (ins.Length <= 64 && ins.All(char.IsAsciiLetterOrDigit)), nameof(ins), "Letters and digits only, at most 64.")
            .Check(localId is null || Identifiers.IsValidShortText(localId), nameof(localId), "At most 64 characters, no backslash.")
            .Check(name is null || (name.Length <= 64 && !name.Contains('\\') && !name.Contains('*') && !name.Contains('?')), nameof(name), "At most 64 characters, no wildcard.")
            .Check(birthDate is null || (birthDate.Length == 8 && birthDate.All(char.IsAsciiDigit)), nameof(birthDate), "A date as YYYYMMDD.");
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        if (ins is null && localId is null && (name is null || birthDate is null))
            return ApiProblems.Validation(new Dictionary<string, string[]>
            {
                ["query"] = ["Give the INS, a local patient id, or a name with the birth date (the registry is not browsed)."],
            });

        var regionalIds = new List<string>();
        if (ins is not null)
        {
            if (await PatientReference.ResolveAsync(grains, "ins:" + ins).ConfigureAwait(false) is { } regional) regionalIds.Add(regional);
        }
        else
        {
            var matches = new Dictionary<uint, string>();
            if (localId is not null) matches[IndexTags.PatientId] = localId;
            if (name is not null) matches[IndexTags.PatientName] = name + "*";
            if (birthDate is not null) matches[IndexTags.PatientBirthDate] = birthDate;
            var rows = await index.QueryAsync(new IndexQuery(QueryLevel.Patient, IndexAuthorization.All) { Matches = matches, Limit = MaxResults },
                cancellationToken).ConfigureAwait(false);
            regionalIds.AddRange(rows.Select(r => r.GetValueOrDefault(IndexTags.RegionalPatientId)).OfType<string>().Distinct(StringComparer.Ordinal));
        }

        var found = new List<PortalPatientSummary>(regionalIds.Count);
        foreach (var regional in regionalIds.Take(MaxResults))
        {
            var record = await grains.Reference<IPatientGrain>(regional).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            found.Add(Summary(record));
            await audit.RecordAsync(principal.ToAuditEvent(AuditAction.Query, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), regional,
                detail: "portal patient search"), cancellationToken).ConfigureAwait(false);
        }
        return Results.Ok(found);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string patientId, IGrainFactory grains, IAccessControl access, IAuditTrail audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (Refusal(context) is { } refusal) return refusal;
        var principal = context.GetProfessionalPrincipal()!;
        if (await PatientReference.ResolveAsync(grains, patientId).ConfigureAwait(false) is not { } regional)
            return ApiProblems.NotFound($"No patient is known as '{patientId}'.");
        var record = await grains.Reference<IPatientGrain>(regional).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        var studies = new List<PortalStudy>(record.Studies.Count);
        // One study at a time: a patient has few studies, and each decision reads grains (no unbounded fan-out).
        foreach (var study in record.Studies.OrderByDescending(s => s.StudyDate, StringComparer.Ordinal))
        {
            var verdict = await access.AuthorizeStudyAsync(principal, AccessAction.RetrieveStudies, regional, study.EstablishmentId,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!names.TryGetValue(study.EstablishmentId, out var establishmentName))
            {
                establishmentName = (await grains.Reference<IEstablishmentGrain>(study.EstablishmentId).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false))?.Name;
                names[study.EstablishmentId] = establishmentName;
            }
            studies.Add(new PortalStudy(
                study.StudyInstanceUid,
                study.EstablishmentId,
                establishmentName,
                study.StudyDate,
                study.Modalities,
                // A hidden study shows that it exists, where and when — not what it is about.
                verdict.IsAllowed ? study.StudyDescription : null,
                study.InstanceCount,
                verdict.IsAllowed,
                verdict.Reason.ToString(),
                verdict.RequiresReview));
        }

        var hidden = studies.Count(s => !s.Visible);
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.Query, AuditOutcome.Success, time.GetUtcNow(), context.AuditSource(), regional,
            studies.Where(s => s.Visible).Select(s => s.StudyInstanceUid).ToArray(),
            detail: string.Create(CultureInfo.InvariantCulture, $"portal patient page: {studies.Count} studies, {hidden} hidden")), cancellationToken).ConfigureAwait(false);
        return Results.Ok(new PortalPatient(Summary(record), studies));
    }

    private static PortalPatientSummary Summary(PatientRecord record) => new(
        record.PatientId,
        record.Ins?.Value,
        record.Demographics.Name,
        record.Demographics.BirthDate,
        record.Demographics.Sex,
        record.LocalIds.Select(l => new PortalLocalId(l.EstablishmentId, l.PatientId)).ToArray(),
        record.Studies.Count);

    private static IResult? Refusal(HttpContext context) =>
        context.GetProfessionalPrincipal() is not { } principal ? Results.Unauthorized()
        : principal.HasAnyRole(Readers) ? null
        : ApiProblems.Forbidden("The portal's patient pages are for radiologists, physicians and the data-protection officer.", ReaderRoleNames);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>A patient found by the portal search.</summary>
/// <param name="PatientId">Regional patient id (use it in <c>/api/patients/{patientId}/…</c>).</param>
/// <param name="Ins">National identifier, when known.</param>
/// <param name="Name">DICOM person name (FAMILY^GIVEN).</param>
/// <param name="BirthDate">YYYYMMDD.</param>
/// <param name="Sex">M, F or O.</param>
/// <param name="LocalIds">Each establishment's own id of the patient.</param>
/// <param name="StudyCount">Studies in every establishment, visible or not.</param>
public sealed record PortalPatientSummary(string PatientId, string? Ins, string? Name, string? BirthDate, string? Sex,
    IReadOnlyList<PortalLocalId> LocalIds, int StudyCount);

/// <summary>An establishment's own patient id.</summary>
public sealed record PortalLocalId(string EstablishmentId, string PatientId);

/// <summary>The patient page: who, and every study with its verdict.</summary>
public sealed record PortalPatient(PortalPatientSummary Patient, IReadOnlyList<PortalStudy> Studies);

/// <summary>One study as the caller may (or may not) see it.</summary>
/// <param name="StudyInstanceUid">Study Instance UID.</param>
/// <param name="EstablishmentId">Producing establishment.</param>
/// <param name="EstablishmentName">Its name.</param>
/// <param name="StudyDate">YYYYMMDD.</param>
/// <param name="Modalities">Modalities in the study.</param>
/// <param name="Description">Study description; null when hidden.</param>
/// <param name="InstanceCount">Images.</param>
/// <param name="Visible">Whether the caller may open it now.</param>
/// <param name="Access">The decision's reason (<c>AccessReason</c> name): why visible, or why hidden.</param>
/// <param name="RequiresReview">Visible through break-the-glass: each opening is flagged for review.</param>
public sealed record PortalStudy(string StudyInstanceUid, string EstablishmentId, string? EstablishmentName, string? StudyDate,
    IReadOnlyList<string> Modalities, string? Description, int InstanceCount, bool Visible, string Access, bool RequiresReview);
