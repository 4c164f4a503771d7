using Mirc.Grains.Indexing;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>Which attributes the query index can match, and at which QIDO level each one lives.</summary>
public static class QidoIndexAttributes
{
    /// <summary>The level of a matchable attribute, or null when the index cannot match on it.</summary>
    public static QidoLevel? LevelOf(uint tag) => IndexTags.MatchingKeys.TryGetValue(tag, out var level) ? ToQidoLevel(level) : null;

    // QIDO-RS has no patient level: patient attributes are matched in study searches.
    private static QidoLevel ToQidoLevel(QueryLevel level) => level switch
    {
        QueryLevel.Patient or QueryLevel.Study => QidoLevel.Study,
        QueryLevel.Series => QidoLevel.Series,
        _ => QidoLevel.Instance,
    };

    /// <summary>The index level for a QIDO level.</summary>
    public static QueryLevel ToIndexLevel(QidoLevel level) => level switch
    {
        QidoLevel.Study => QueryLevel.Study,
        QidoLevel.Series => QueryLevel.Series,
        _ => QueryLevel.Image,
    };
}
