using Mirc.Grains.Interfaces.Security;

namespace Mirc.Grains.Security;

/// <summary>Persisted care relationships of one professional (expired ones are pruned on write).</summary>
[GenerateSerializer, Alias("mirc.CareRelationshipState")]
public sealed class CareRelationshipState
{
    /// <summary>Relationships by regional patient id.</summary>
    [Id(0)] public Dictionary<string, CareRelationship> ByPatient { get; set; } = new(StringComparer.Ordinal);
}
