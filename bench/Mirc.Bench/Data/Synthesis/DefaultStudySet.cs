using Mirc.Bench.Cli;

namespace Mirc.Bench.Data.Synthesis;

/// <summary>The study shapes a default run uses: a CT, an MR, a CR and a large multi-frame XA, accented names included.</summary>
public static class DefaultStudySet
{
    /// <summary>The CT used for every ingest and whole-study retrieval figure.</summary>
    public static SyntheticStudySpec Ct(BenchOptions o) => new(
        "ct", "DUPONT^Hélène", PatientOne(o),
        [new SyntheticSeriesSpec("CT", SyntheticSeriesSpec.CtImageStorage, 512, 512, 16, o.CtSlices)]);

    /// <summary>The other modalities; empty shapes are left out.</summary>
    public static IEnumerable<SyntheticStudySpec> Others(BenchOptions o)
    {
        if (o.MrSlices > 0)
        {
            yield return new("mr", "DUPONT^Hélène", PatientOne(o),
                [new SyntheticSeriesSpec("MR", SyntheticSeriesSpec.MrImageStorage, 256, 256, 16, o.MrSlices)]);
        }

        yield return new("cr", "GARCÍA^José", PatientTwo(o),
            [new SyntheticSeriesSpec("CR", SyntheticSeriesSpec.CrImageStorage, 2048, 2048, 16, 2)]);
        if (o.Frames > 0)
        {
            yield return new("xa", "GARCÍA^José", PatientTwo(o),
                [new SyntheticSeriesSpec("XA", SyntheticSeriesSpec.XaImageStorage, 256, 256, 8, 1, o.Frames)]);
        }
    }

    /// <summary>The <paramref name="index"/>-th one-instance study of <paramref name="run"/>: one 64×64 CT slice, its own patient.</summary>
    public static SyntheticStudySpec OneInstanceStudy(BenchOptions o, string run, int index) => new(
        $"small-{run}-{index}", "MARTIN^Zoé", $"BENCH-{o.Seed}-{run}-{index}",
        [new SyntheticSeriesSpec("CT", SyntheticSeriesSpec.CtImageStorage, 64, 64, 16, 1)]);

    /// <summary>Patient of the CT and MR.</summary>
    public static string PatientOne(BenchOptions o) => $"BENCH-{o.Seed}-1";

    /// <summary>Patient of the CR and multi-frame XA.</summary>
    public static string PatientTwo(BenchOptions o) => $"BENCH-{o.Seed}-2";
}
