namespace Mirc.Grains.Interfaces.Research;

/// <summary>What a research project is: its name, purpose, cohort and how burned-in annotation is treated.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ResearchProjectDefinition")]
public sealed record ResearchProjectDefinition
{
    /// <summary>Name (e.g. "Lung nodules 2020-2025").</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Purpose and legal basis, as approved (kept with the project and in the audit trail).</summary>
    [Id(1)] public required string Purpose { get; init; }

    /// <summary>The cohort.</summary>
    [Id(2)] public required CohortCriteria Cohort { get; init; }

    /// <summary>
    /// Export instances with burned-in annotation (flagged for review) instead of leaving them out (the default).
    /// </summary>
    [Id(3)] public bool FlagBurnedInAnnotation { get; init; }

    /// <summary>
    /// Research PACS the exports are pushed to by STOW-RS: a name of <c>Mirc:Research:StowDestinations</c> (its URL and
    /// credential stay in configuration); null writes the files to the research output store.
    /// </summary>
    [Id(4)] public string? StowDestination { get; init; }
}
