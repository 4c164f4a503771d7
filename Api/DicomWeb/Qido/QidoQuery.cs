namespace Mirc.Api.DicomWeb.Qido;

/// <summary>A validated QIDO-RS search, independent of the query index that answers it.</summary>
/// <param name="Level">What is searched.</param>
/// <param name="Matches">Matching keys (path UIDs included as StudyInstanceUID / SeriesInstanceUID matches).</param>
/// <param name="IncludeFields">Extra attributes to return beyond the level's defaults.</param>
/// <param name="IncludeAll">True for <c>includefield=all</c>.</param>
/// <param name="Limit">Maximum results to return.</param>
/// <param name="Offset">Results to skip.</param>
/// <param name="FuzzyMatching">The client asked for fuzzy person-name matching (not supported: a warning is returned).</param>
public sealed record QidoQuery(
    QidoLevel Level,
    IReadOnlyList<QidoMatch> Matches,
    IReadOnlyList<AttributeDefinition> IncludeFields,
    bool IncludeAll,
    int Limit,
    int Offset,
    bool FuzzyMatching)
{
    /// <summary>Keys the search ignored, each with the reason (returned as <c>Warning</c> headers, PS3.18 §8.3.4).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The match on <paramref name="tag"/>, if any.</summary>
    public QidoMatch? MatchOn(uint tag)
    {
        foreach (var match in Matches)
        {
            if (match.Attribute.Tag == tag) return match;
        }
        return null;
    }
}
