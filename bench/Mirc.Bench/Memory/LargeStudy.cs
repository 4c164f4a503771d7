using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;

namespace Mirc.Bench.Memory;

/// <summary>The many-instance study of the memory test: small 64×64 16-bit CT slices, 1,000 per series, held in memory (≈9 KB each).</summary>
public static class LargeStudy
{
    private const int SlicesPerSeries = 1000;

    /// <summary>Generates <paramref name="instances"/> deterministic instances salted by <paramref name="seed"/>.</summary>
    public static BenchStudy Create(string seed, int instances)
    {
        var series = Enumerable.Range(0, (instances + SlicesPerSeries - 1) / SlicesPerSeries)
            .Select(s => new SyntheticSeriesSpec("CT", SyntheticSeriesSpec.CtImageStorage, 64, 64, 16, Math.Min(SlicesPerSeries, instances - s * SlicesPerSeries)))
            .ToArray();
        return new SyntheticStudyFactory(seed).Create(new SyntheticStudySpec("memory-study", "MÉMOIRE^Zoé", $"BENCH-{seed}-MEM", series));
    }
}
