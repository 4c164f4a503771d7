using Mirc.Grains.Interfaces.Security;
using Orleans.Concurrency;

namespace Mirc.Grains.Interfaces.Research;

/// <summary>One research project (key: project id). Creation is authorized and audited by the grain.</summary>
[Alias("mirc.IResearchProjectGrain")]
public interface IResearchProjectGrain : IGrainWithStringKey
{
    /// <summary>Defines the project once; a second call returns the existing project unchanged.</summary>
    /// <exception cref="UnauthorizedAccessException">The principal may not define research projects.</exception>
    [Alias("Create")]
    Task<ResearchProject> CreateAsync(ProfessionalPrincipal principal, ResearchProjectDefinition definition, string? source);

    /// <summary>The project, or null when it does not exist.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ResearchProject?> GetAsync();

    /// <summary>Records an export of the project.</summary>
    [Alias("AddExport")]
    Task AddExportAsync(string exportId);
}
