using Mirc.Grains.Interfaces.Research;
using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Research;

/// <summary>Persisted research export: its progress and the cohort left to do.</summary>
[GenerateSerializer, Alias("mirc.ResearchExportState")]
public sealed class ResearchExportState
{
    /// <summary>Progress, null until started.</summary>
    [Id(0)] public ResearchExportSnapshot? Export { get; set; }

    /// <summary>Who started it (for the audit record of its end).</summary>
    [Id(1)] public ProfessionalPrincipal? RequestedBy { get; set; }

    /// <summary>Where the request came from.</summary>
    [Id(2)] public string? Source { get; set; }

    /// <summary>The instances to export (oppositions already left out), in order.</summary>
    [Id(3)] public List<ExportItem> Items { get; set; } = [];

    /// <summary>Items before this index are done (persisted after each batch).</summary>
    [Id(4)] public int NextIndex { get; set; }

    /// <summary>Export burned-in annotation flagged instead of leaving it out.</summary>
    [Id(5)] public bool FlagBurnedInAnnotation { get; set; }

    /// <summary>Name of the research PACS the export pushes to, or null for the output store.</summary>
    [Id(6)] public string? StowDestination { get; set; }
}
