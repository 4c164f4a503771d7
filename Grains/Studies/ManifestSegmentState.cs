using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Studies;

/// <summary>One segment of a study manifest: up to <see cref="StudyManifestOptions.SegmentSize"/> entries in arrival order.</summary>
[GenerateSerializer, Alias("mirc.ManifestSegmentState")]
public sealed class ManifestSegmentState
{
    /// <summary>Entries in arrival order.</summary>
    [Id(0)] public List<InstanceEntry> Entries { get; set; } = [];
}
