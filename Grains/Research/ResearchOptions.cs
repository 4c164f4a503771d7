using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Research;

/// <summary>Research exports (section <c>Mirc:Research</c>).</summary>
public sealed class ResearchOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Mirc:Research";

    /// <summary>Instances de-identified and written at once by one export (CPU-bound: about the number of cores).</summary>
    [Range(1, 64)]
    public int ExportConcurrency { get; set; } = 4;

    /// <summary>Instances per persisted progress step (a restart redoes at most one batch).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Largest cohort one export takes, in instances.</summary>
    [Range(1, 10_000_000)]
    public int MaxInstances { get; set; } = 1_000_000;

    /// <summary>Research PACS that projects may push to by STOW-RS, by name (none by default: exports go to the output store).</summary>
    public Dictionary<string, StowDestinationOptions> StowDestinations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Instances per STOW-RS request.</summary>
    [Range(1, 1000)]
    public int StowBatchSize { get; set; } = 16;

    /// <summary>Tries of one STOW-RS request on a 5xx answer, a timeout or a refused connection, before the export waits.</summary>
    [Range(1, 20)]
    public int StowAttempts { get; set; } = 4;

    /// <summary>First pause between two tries of a STOW-RS request, doubled at each try.</summary>
    [Range(10, 60_000)]
    public int StowRetryDelayMilliseconds { get; set; } = 1000;

    /// <summary>Time allowed to one STOW-RS request.</summary>
    [Range(1, 3600)]
    public int StowTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// First wait of an export whose destination is unavailable (PACS down, output store failing) before it retries the
    /// batch; doubled at each failed retry up to ten times this. The export waits as long as it takes, resumable.
    /// </summary>
    [Range(1, 3600)]
    public int DestinationRetrySeconds { get; set; } = 30;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        StowDestinations.SelectMany(d => d.Value.Problems(d.Key)).Select(p => new ValidationResult(p));
}
