namespace Mirc.Grains.Sharing;

/// <summary>Persistent state of a study's share list.</summary>
[GenerateSerializer, Alias("mirc.StudySharesState")]
public sealed class StudySharesState
{
    /// <summary>Share ids, oldest first.</summary>
    [Id(0)] public List<string> ShareIds { get; set; } = [];
}
