using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Dimse;

/// <summary>The studies, series or instances a C-GET / C-MOVE identifier selected, from the (authorized) index rows.</summary>
public sealed class RetrieveSelection
{
    private readonly QueryLevel _level;
    private readonly HashSet<string> _series = new(StringComparer.Ordinal);
    private readonly HashSet<string> _instances = new(StringComparer.Ordinal);

    private RetrieveSelection(QueryLevel level) => _level = level;

    /// <summary>Distinct studies, in first-seen order.</summary>
    public List<string> StudyUids { get; } = [];

    /// <summary>Collects the selection from index rows of <paramref name="level"/>.</summary>
    public static RetrieveSelection From(QueryLevel level, IReadOnlyList<IReadOnlyDictionary<uint, string>> rows)
    {
        var selection = new RetrieveSelection(level);
        var studies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.TryGetValue(IndexTags.StudyInstanceUid, out var study) && studies.Add(study))
            {
                selection.StudyUids.Add(study);
            }

            if (row.TryGetValue(IndexTags.SeriesInstanceUid, out var series))
            {
                selection._series.Add(series);
            }

            if (row.TryGetValue(IndexTags.SopInstanceUid, out var sop))
            {
                selection._instances.Add(sop);
            }
        }

        return selection;
    }

    /// <summary>True when the manifest entry is part of the selection.</summary>
    public bool Includes(InstanceEntry entry) => _level switch
    {
        QueryLevel.Series => _series.Contains(entry.SeriesInstanceUid),
        QueryLevel.Image => _instances.Contains(entry.SopInstanceUid),
        _ => true,
    };
}
