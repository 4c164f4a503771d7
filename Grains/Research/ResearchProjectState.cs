using Mirc.Grains.Interfaces.Research;

namespace Mirc.Grains.Research;

/// <summary>Persisted research project.</summary>
[GenerateSerializer, Alias("mirc.ResearchProjectState")]
public sealed class ResearchProjectState
{
    /// <summary>The project, null until created.</summary>
    [Id(0)] public ResearchProject? Project { get; set; }
}
