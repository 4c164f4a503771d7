namespace Mirc.Grains.Sharing;

/// <summary>Persistent state of the pending-share list.</summary>
[GenerateSerializer, Alias("mirc.PendingSharesState")]
public sealed class PendingSharesState
{
    /// <summary>Share ids not finished yet, oldest first.</summary>
    [Id(0)] public List<string> ShareIds { get; set; } = [];
}
