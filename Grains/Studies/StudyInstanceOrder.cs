using Mirc.Grains.Interfaces.Studies;

namespace Mirc.Grains.Studies;

/// <summary>Retrieval order of a study's instances: series in first-received order, then Instance Number (absent last), then arrival.</summary>
internal static class StudyInstanceOrder
{
    public static InstanceEntry[] Sort(IReadOnlyList<InstanceEntry> arrivalOrder, IReadOnlyList<SeriesSummary> series)
    {
        var seriesRank = new Dictionary<string, int>(series.Count, StringComparer.Ordinal);
        for (var i = 0; i < series.Count; i++)
        {
            seriesRank.TryAdd(series[i].SeriesInstanceUid, i);
        }

        var keyed = new (int Series, int Number, int Arrival, InstanceEntry Entry)[arrivalOrder.Count];
        for (var i = 0; i < arrivalOrder.Count; i++)
        {
            var e = arrivalOrder[i];
            keyed[i] = (seriesRank.GetValueOrDefault(e.SeriesInstanceUid, int.MaxValue), e.InstanceNumber ?? int.MaxValue, i, e);
        }

        Array.Sort(keyed, static (a, b) =>
        {
            var c = a.Series.CompareTo(b.Series);
            if (c == 0)
            {
                c = a.Number.CompareTo(b.Number);
            }

            return c != 0 ? c : a.Arrival.CompareTo(b.Arrival);
        });
        return Array.ConvertAll(keyed, k => k.Entry);
    }
}
