using Mirc.Bench.Measurement;

namespace Mirc.Bench.Memory;

/// <summary>One step of the memory test: its throughput figures and the silo's memory while it ran.</summary>
/// <param name="Operation">Duration, volume and rate of the step.</param>
/// <param name="Memory">The silo's resident set before and during the step.</param>
/// <param name="WithinLimit">True when the step succeeded, sampling covered it and the peak stayed under the bound.</param>
public sealed record MemoryStepResult(OperationResult Operation, MemoryWindow Memory, bool WithinLimit);

/// <summary>Everything a memory run produced, as written to <c>memory.json</c>.</summary>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Machine">Cores, OS, load.</param>
/// <param name="Target">Where the silo was reached.</param>
/// <param name="SiloPid">Process id watched.</param>
/// <param name="LimitBytes">The bound.</param>
/// <param name="Steps">Steps in run order.</param>
/// <param name="SiloHwmAtEndBytes">The silo's VmHWM at the end of the run (since the last step's reset, or since start when resets are not permitted).</param>
/// <param name="BenchPeakRssBytes">This benchmark's own peak resident set (shows the multi-frame instance was never held whole).</param>
public sealed record MemoryReport(
    DateTimeOffset StartedUtc, string Machine, string Target, int SiloPid, long LimitBytes, IReadOnlyList<MemoryStepResult> Steps,
    long SiloHwmAtEndBytes, long BenchPeakRssBytes)
{
    /// <summary>True when every step held the bound.</summary>
    public bool BoundHeld => Steps.Count > 0 && Steps.All(s => s.WithinLimit);

    /// <summary>The largest peak of any step.</summary>
    public long PeakBytes => Steps.Count == 0 ? 0 : Steps.Max(s => s.Memory.PeakBytes);
}
