using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Mirc.Api.Authentication;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Research;

namespace Mirc.Api.Research;

/// <summary>
/// Research projects and their de-identified exports under <c>/api/research</c>, for data-protection officers and
/// research managers: define a project (cohort over the index), start an export (202; one grain per export), follow
/// its progress. The re-identification table of a project is for the data-protection officer only, and every read of
/// it is audited. The grains decide and audit project creation and export start/finish.
/// </summary>
public static class ResearchEndpoints
{
    private static readonly IReadOnlyList<string> ExporterRoles = [nameof(MircRoles.DataProtectionOfficer), nameof(MircRoles.ResearchManager)];

    /// <summary>Maps the routes on <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static void MapResearch(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/research/projects").WithTags("Research").RequireAuthorization(MircPolicies.ResearchExporter);
        group.MapPost("", CreateProjectAsync).WithName("CreateResearchProject").WithSummary("Define a research project and its cohort")
            .Produces<ResearchProject>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/{projectId}", GetProjectAsync).WithName("GetResearchProject").WithSummary("A research project")
            .Produces<ResearchProject>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{projectId}/exports", StartExportAsync).WithName("StartResearchExport").WithSummary("Start a de-identified export of the project's cohort")
            .Produces<ResearchExportResource>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{projectId}/exports/{exportId}", GetExportAsync).WithName("GetResearchExport").WithSummary("Progress of an export (instances done/total, state)")
            .Produces<ResearchExportResource>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{projectId}/reidentification", ReidentificationAsync).WithName("GetResearchReidentification")
            .WithSummary("Pseudonym → patient table of the project (data-protection officer only, audited)")
            .RequireAuthorization(MircPolicies.Reidentification)
            .Produces<ReidentificationEntry[]>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateProjectAsync(CreateResearchProjectRequest request, HttpContext http, IGrainFactory grains, IOptions<ResearchOptions> research, CancellationToken ct)
    {
        var principal = http.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        var errors = request.Validate(research.Value.StowDestinations.Keys);
        if (!errors.IsEmpty) return ApiProblems.Validation(errors.ToDictionary());
        var projectId = Guid.NewGuid().ToString("N");
        try
        {
            var project = await grains.Reference<IResearchProjectGrain>(projectId).CreateAsync(principal, request.ToDefinition(), http.AuditSource()).WaitAsync(ct);
            return Results.Created($"/api/research/projects/{projectId}", project);
        }
        catch (UnauthorizedAccessException ex)
        {
            return ApiProblems.Forbidden(ex.Message, ExporterRoles);
        }
    }

    private static async Task<IResult> GetProjectAsync(string projectId, IGrainFactory grains, CancellationToken ct) =>
        IsId(projectId) && await grains.Reference<IResearchProjectGrain>(projectId).GetAsync().WaitAsync(ct) is { } project
            ? Results.Ok(project)
            : ProjectNotFound(projectId);

    private static async Task<IResult> StartExportAsync(string projectId, HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        var principal = http.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        if (!IsId(projectId) || await grains.Reference<IResearchProjectGrain>(projectId).GetAsync().WaitAsync(ct) is null) return ProjectNotFound(projectId);
        var exportId = Guid.NewGuid().ToString("N");
        try
        {
            var export = await grains.Reference<IResearchExportGrain>(exportId).StartAsync(principal, projectId, http.AuditSource()).WaitAsync(ct);
            return Results.Accepted($"/api/research/projects/{projectId}/exports/{exportId}", ResearchExportResource.From(export));
        }
        catch (UnauthorizedAccessException ex)
        {
            return ApiProblems.Forbidden(ex.Message, ExporterRoles);
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
    }

    private static async Task<IResult> GetExportAsync(string projectId, string exportId, IGrainFactory grains, CancellationToken ct)
    {
        if (!IsId(projectId) || !IsId(exportId)) return ExportNotFound(exportId);
        var export = await grains.Reference<IResearchExportGrain>(exportId).GetAsync().WaitAsync(ct);
        return export is not null && string.Equals(export.ProjectId, projectId, StringComparison.Ordinal)
            ? Results.Ok(ResearchExportResource.From(export))
            : ExportNotFound(exportId);
    }

    private static async Task<IResult> ReidentificationAsync(string projectId, HttpContext http, IGrainFactory grains, ResearchVault vault, IAuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var principal = http.GetProfessionalPrincipal();
        if (principal is null) return Results.Unauthorized();
        if (!IsId(projectId) || await grains.Reference<IResearchProjectGrain>(projectId).GetAsync().WaitAsync(ct) is null) return ProjectNotFound(projectId);
        var table = await vault.ReadTableAsync(projectId, ct);
        // Durable before the identities leave.
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.Reidentification, AuditOutcome.Success, time.GetUtcNow(), http.AuditSource(),
            detail: $"re-identification table of research project {projectId} read: {table.Count} patients"), ct);
        return Results.Ok(table);
    }

    // Ids are the 32 hex digits this API generates: anything else names nothing.
    private static bool IsId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    private static IResult ProjectNotFound(string projectId) =>
        ApiProblems.NotFound($"Research project {projectId} does not exist. Create one with POST /api/research/projects.");

    private static IResult ExportNotFound(string exportId) =>
        ApiProblems.NotFound($"Research export {exportId} does not exist in this project. Start one with POST /api/research/projects/{{projectId}}/exports.");
}
