using Mirc.Grains.Interfaces.Research;

namespace Mirc.Api.Research;

/// <summary>Progress of a research export as the API shows it.</summary>
public sealed record ResearchExportResource(
    string ExportId,
    string ProjectId,
    string Status,
    int Total,
    int Done,
    int Exported,
    int ExcludedBurnedInAnnotation,
    int FlaggedBurnedInAnnotation,
    int Failed,
    int Patients,
    int PatientsExcluded,
    string? Output,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? WaitingFor,
    int DestinationRetries)
{
    /// <summary>From the grain's snapshot.</summary>
    public static ResearchExportResource From(ResearchExportSnapshot s) => new(
        s.ExportId, s.ProjectId, s.Status.ToString().ToLowerInvariant(), s.Total, s.Done, s.Exported, s.ExcludedBurnedInAnnotation,
        s.FlaggedBurnedInAnnotation, s.Failed, s.Patients, s.PatientsExcluded, s.Output, s.StartedAt, s.FinishedAt, s.Error, s.WaitingFor, s.DestinationRetries);
}
