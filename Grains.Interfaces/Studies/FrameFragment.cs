namespace Mirc.Grains.Interfaces.Studies;

/// <summary>A byte range inside an instance blob (offset relative to the first byte of the stored Part 10 file).</summary>
/// <param name="Offset">First byte, 0-based from the blob start.</param>
/// <param name="Length">Number of bytes.</param>
[GenerateSerializer, Immutable, Alias("mirc.FrameFragment")]
public readonly record struct FrameFragment([property: Id(0)] long Offset, [property: Id(1)] long Length);
