using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Establishments;

/// <summary>Persistent state of the establishment directory.</summary>
[GenerateSerializer, Alias("mirc.EstablishmentDirectoryState")]
public sealed class EstablishmentDirectoryState
{
    /// <summary>Listings by establishment id.</summary>
    [Id(0)] public Dictionary<string, EstablishmentListing> Entries { get; set; } = new(StringComparer.Ordinal);
}
