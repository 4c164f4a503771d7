using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Storage;
using Mirc.Grains.Storage.GrainState;

namespace Mirc.Grains.Research;

/// <summary>A research project: its definition and exports; creation authorized and audited here.</summary>
public sealed class ResearchProjectGrain(
    [PersistentState("research-project", StorageProviders.Archive)] IPersistentState<ResearchProjectState> state,
    IAuditTrail audit,
    TimeProvider time)
    : Grain, IResearchProjectGrain
{
    /// <inheritdoc />
    public async Task<ResearchProject> CreateAsync(ProfessionalPrincipal principal, ResearchProjectDefinition definition, string? source)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(definition);
        var projectId = this.GetPrimaryKeyString();
        var now = time.GetUtcNow();
        var verdict = AccessDecision.Evaluate(new AccessRequest { Principal = principal, Action = AccessAction.ExportForResearch, Now = now });
        if (!verdict.IsAllowed)
        {
            await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ResearchExport, AuditOutcome.Denied, now, source, detail: $"research project {projectId} refused: {verdict.Reason}"));
            throw new UnauthorizedAccessException("Defining research projects needs the DataProtectionOfficer or ResearchManager role.");
        }

        if (state.State.Project is { } existing) return existing;
        state.State.Project = new ResearchProject
        {
            ProjectId = projectId,
            Definition = definition,
            CreatedBy = principal.Subject,
            CreatedByRoles = principal.Roles,
            CreatedAt = now,
        };
        await state.WriteOrResetAsync(DeactivateOnIdle);
        var c = definition.Cohort;
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.ResearchExport, AuditOutcome.Success, now, source,
            detail: $"research project {projectId} defined: {definition.Name}; purpose: {definition.Purpose}; cohort: modalities [{string.Join(',', c.Modalities)}], "
                + $"study dates {c.StudyDateFrom}-{c.StudyDateTo}, body parts [{string.Join(',', c.BodyParts)}], establishments [{string.Join(',', c.EstablishmentIds)}]; "
                + (definition.StowDestination is null ? "output store" : $"STOW-RS destination {definition.StowDestination}")));
        return state.State.Project;
    }

    /// <inheritdoc />
    public Task<ResearchProject?> GetAsync() => Task.FromResult(state.State.Project);

    /// <inheritdoc />
    public async Task AddExportAsync(string exportId)
    {
        if (state.State.Project is not { } project || project.ExportIds.Contains(exportId, StringComparer.Ordinal)) return;
        state.State.Project = project with { ExportIds = [.. project.ExportIds, exportId] };
        await state.WriteOrResetAsync(DeactivateOnIdle);
    }
}
