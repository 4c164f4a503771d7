namespace Mirc.Bench.Data;

/// <summary>A study to push and pull: its identity and its instances, grouped by series in file order.</summary>
/// <param name="Name">Short name used in operation names, e.g. <c>ct</c>.</param>
/// <param name="PatientId">Patient ID (0010,0020).</param>
/// <param name="StudyUid">Study Instance UID.</param>
/// <param name="Instances">Every instance of the study.</param>
public sealed record BenchStudy(string Name, string PatientId, string StudyUid, IReadOnlyList<BenchInstance> Instances)
{
    /// <summary>Total size of the Part 10 files.</summary>
    public long TotalBytes => Instances.Sum(i => (long)i.Part10.Length);

    /// <summary>Series UIDs in first-seen order.</summary>
    public IReadOnlyList<string> SeriesUids => Instances.Select(i => i.SeriesUid).Distinct().ToArray();
}
