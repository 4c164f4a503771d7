using Mirc.Bench.Cli;
using Mirc.Bench.Data;
using Mirc.Bench.Data.Synthesis;

namespace Mirc.Bench.Run;

/// <summary>The studies of a run: the CT every headline figure uses, fresh copies of it for each ingest run, and the others.</summary>
public sealed class BenchData
{
    private readonly Func<string, BenchStudy> _ctCopy;
    private readonly Func<string, BenchStudy>? _smallStudies;

    private BenchData(BenchStudy ct, IReadOnlyList<BenchStudy> others, Func<string, BenchStudy> ctCopy, string description, Func<string, BenchStudy>? smallStudies = null)
    {
        Ct = ct;
        Others = others;
        _ctCopy = ctCopy;
        _smallStudies = smallStudies;
        Description = description;
    }

    /// <summary>The CT (or, with <c>--input</c>, the largest study read).</summary>
    public BenchStudy Ct { get; }

    /// <summary>The other studies (MR, CR, multi-frame XA, or the rest of the input folder).</summary>
    public IReadOnlyList<BenchStudy> Others { get; }

    /// <summary>What the data is, for the report.</summary>
    public string Description { get; }

    /// <summary>The multi-frame instance with the most frames, if any.</summary>
    public (BenchStudy Study, BenchInstance Instance)? MultiFrame =>
        Others.Prepend(Ct).SelectMany(s => s.Instances.Select(i => (Study: s, Instance: i)))
            .Where(x => x.Instance.Frames > 1).OrderByDescending(x => x.Instance.Frames).Cast<(BenchStudy, BenchInstance)?>().FirstOrDefault();

    /// <summary>A copy of the CT with fresh UIDs, so each ingest run stores new instances (servers may skip duplicates).</summary>
    public BenchStudy CtCopy(string copy) => _ctCopy(copy);

    /// <summary>
    /// <see cref="BenchOptions.SmallStudies"/> one-instance studies of distinct patients, fresh for <paramref name="run"/>,
    /// carried as one batch of instances (each instance is its own study); null when none are asked for or the data
    /// comes from a folder.
    /// </summary>
    public BenchStudy? SmallStudies(string run) => _smallStudies?.Invoke(run);

    /// <summary>Synthesizes the default study set.</summary>
    public static BenchData Synthesize(BenchOptions o)
    {
        var factory = new SyntheticStudyFactory(o.Seed);
        var ctSpec = DefaultStudySet.Ct(o);
        var ct = factory.Create(ctSpec);
        var others = DefaultStudySet.Others(o).Select(s => factory.Create(s)).ToArray();
        var description = FormattableString.Invariant(
            $"synthetic (seed {o.Seed}): CT {o.CtSlices}×512×512×16 bit ({ct.TotalBytes / 1e6:0.0} MB); ")
            + string.Join("; ", others.Select(s => FormattableString.Invariant($"{s.Name} {s.Instances.Count} inst., {s.Instances.Max(i => i.Frames)} frames max ({s.TotalBytes / 1e6:0.0} MB)")));
        var small = o.SmallStudies > 0
            ? run => new BenchStudy($"one-instance-studies-{run}", "(one patient each)", "(one study each)",
                Enumerable.Range(1, o.SmallStudies).SelectMany(i => factory.Create(DefaultStudySet.OneInstanceStudy(o, run, i)).Instances).ToArray())
            : (Func<string, BenchStudy>?)null;
        return new BenchData(ct, others, copy => factory.Create(ctSpec, "-" + copy), description, small);
    }

    /// <summary>Wraps studies read from a folder: the largest is the "CT", copies are the same study again.</summary>
    public static BenchData FromStudies(IReadOnlyList<BenchStudy> studies, string folder)
    {
        if (studies.Count == 0) throw new InvalidOperationException($"no DICOM files found under {folder}");
        var largest = studies.MaxBy(s => s.Instances.Count)!;
        var description = FormattableString.Invariant($"folder {folder}: {studies.Count} studies, {studies.Sum(s => s.Instances.Count)} instances, {studies.Sum(s => s.TotalBytes) / 1e6:0.0} MB; main study {largest.Instances.Count} instances");
        return new BenchData(largest, studies.Where(s => s != largest).ToArray(), _ => largest, description);
    }
}
