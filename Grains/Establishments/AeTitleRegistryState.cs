using Mirc.Grains.Interfaces.Establishments;

namespace Mirc.Grains.Establishments;

/// <summary>Persistent state of the AE title registry.</summary>
[GenerateSerializer, Alias("mirc.AeTitleRegistryState")]
public sealed class AeTitleRegistryState
{
    /// <summary>Registrations by normalized AE title.</summary>
    [Id(0)] public Dictionary<string, AeTitleRegistration> Entries { get; set; } = new(StringComparer.Ordinal);
}
