using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Interfaces.Research;

/// <summary>
/// One de-identified export of a research project (key: export id). Runs inside the grain with bounded concurrency;
/// its progress is persisted after every batch, and an export found running after a restart resumes where it stopped
/// (on its reminder, or at the next <see cref="GetAsync"/>).
/// </summary>
[Alias("mirc.IResearchExportGrain")]
public interface IResearchExportGrain : IGrainWithStringKey
{
    /// <summary>Selects the cohort, leaves out opposed patients, starts the export and returns at once.</summary>
    /// <exception cref="UnauthorizedAccessException">The principal may not export for research.</exception>
    /// <exception cref="KeyNotFoundException">The project does not exist.</exception>
    [Alias("Start")]
    Task<ResearchExportSnapshot> StartAsync(ProfessionalPrincipal principal, string projectId, string? source);

    /// <summary>The export's progress, or null when it does not exist.</summary>
    [Alias("Get")]
    Task<ResearchExportSnapshot?> GetAsync();
}
