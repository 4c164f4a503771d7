using Mirc.Grains.Interfaces.Professionals;

namespace Mirc.Grains.Establishments;

/// <summary>Persistent state of a professional.</summary>
[GenerateSerializer, Alias("mirc.ProfessionalState")]
public sealed class ProfessionalState
{
    /// <summary>The profile, null until registered.</summary>
    [Id(0)] public ProfessionalProfile? Profile { get; set; }
}
