using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Establishments;

/// <summary>Persistent state of an establishment.</summary>
[GenerateSerializer, Alias("mirc.EstablishmentState")]
public sealed class EstablishmentState
{
    /// <summary>The profile, null until registered.</summary>
    [Id(0)] public EstablishmentProfile? Profile { get; set; }
}
