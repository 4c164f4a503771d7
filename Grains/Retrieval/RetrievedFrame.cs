namespace Mirc.Grains.Retrieval;

/// <summary>The bytes of one frame (native: the raw pixels; encapsulated: the concatenated fragment values).</summary>
/// <param name="FrameNumber">1-based frame number.</param>
/// <param name="Content">Frame bytes. Owned by the caller.</param>
public sealed record RetrievedFrame(int FrameNumber, ReadOnlyMemory<byte> Content);
