using Mirc.Grains.Interfaces.Sharing;

namespace Mirc.Grains.Sharing;

/// <summary>Persistent state of a share grain.</summary>
[GenerateSerializer, Alias("mirc.ShareState")]
public sealed class ShareState
{
    /// <summary>The share, or null before it was created.</summary>
    [Id(0)] public ShareSnapshot? Share { get; set; }

    /// <summary>Push worker holding the share while it runs.</summary>
    [Id(1)] public string? WorkerId { get; set; }

    /// <summary>When the worker's lease ends (UTC).</summary>
    [Id(2)] public DateTimeOffset LeaseUntil { get; set; }
}
