namespace Mirc.Bench.Scaling;

/// <summary>Everything a <c>retrieve-scaling</c> run produced, as written to <c>retrieve-scaling.json</c>.</summary>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Machine">Cores, OS, load at start and end.</param>
/// <param name="Target">Where the archive was reached.</param>
/// <param name="Data">Shape of the stored studies.</param>
/// <param name="Repeat">Measured retrievals per size and protocol.</param>
/// <param name="WarmUp">Whether one unmeasured retrieval of every study preceded the measured rounds.</param>
/// <param name="Rows">One row per size and protocol, in run order.</param>
public sealed record ScalingReport(DateTimeOffset StartedUtc, string Machine, string Target, string Data, int Repeat, bool WarmUp, IReadOnlyList<ScalingRow> Rows)
{
    /// <summary>The flatness ratio of each protocol.</summary>
    public IReadOnlyList<ScalingFlatness> Flatness => ScalingFlatness.Of(Rows);

    /// <summary>True when every planned retrieval succeeded.</summary>
    public bool Succeeded => Rows.Count > 0 && Rows.All(r => r.Failures == 0);
}
