namespace Mirc.Grains.Interfaces.Research;

/// <summary>Progress of one research export.</summary>
[GenerateSerializer, Immutable, Alias("mirc.ResearchExportSnapshot")]
public sealed record ResearchExportSnapshot
{
    /// <summary>Export id (grain key).</summary>
    [Id(0)] public required string ExportId { get; init; }

    /// <summary>Project exported.</summary>
    [Id(1)] public required string ProjectId { get; init; }

    /// <summary>Status.</summary>
    [Id(2)] public ResearchExportStatus Status { get; init; }

    /// <summary>Instances of the cohort left after the research oppositions.</summary>
    [Id(3)] public int Total { get; init; }

    /// <summary>Instances handled so far (exported, excluded or failed).</summary>
    [Id(4)] public int Done { get; init; }

    /// <summary>Instances written de-identified.</summary>
    [Id(5)] public int Exported { get; init; }

    /// <summary>Instances left out for burned-in annotation.</summary>
    [Id(6)] public int ExcludedBurnedInAnnotation { get; init; }

    /// <summary>Instances exported with burned-in annotation, to be reviewed.</summary>
    [Id(7)] public int FlaggedBurnedInAnnotation { get; init; }

    /// <summary>Instances that could not be read or de-identified.</summary>
    [Id(8)] public int Failed { get; init; }

    /// <summary>Patients of the cohort (after oppositions).</summary>
    [Id(9)] public int Patients { get; init; }

    /// <summary>Patients left out because they oppose research re-use (or have no regional record to check).</summary>
    [Id(10)] public int PatientsExcluded { get; init; }

    /// <summary>Where the files go: container and name prefix of the output store, or the research PACS (name and STOW-RS URL).</summary>
    [Id(11)] public string? Output { get; init; }

    /// <summary>Started (UTC).</summary>
    [Id(12)] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Finished (UTC).</summary>
    [Id(13)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>First error, when something failed.</summary>
    [Id(14)] public string? Error { get; init; }

    /// <summary>Why the export waits (destination unavailable), while <see cref="Status"/> is <c>Waiting</c>.</summary>
    [Id(15)] public string? WaitingFor { get; init; }

    /// <summary>Batches tried again because the destination was unavailable.</summary>
    [Id(16)] public int DestinationRetries { get; init; }

    /// <summary>Whether the export is over.</summary>
    public bool IsFinished => Status is ResearchExportStatus.Completed or ResearchExportStatus.Failed;
}
