using System.ComponentModel.DataAnnotations;

namespace Mirc.Grains.Research;

/// <summary>Research exports (section <c>Mirc:Research</c>).</summary>
public sealed class ResearchOptions
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
}
